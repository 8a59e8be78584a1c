import { useEffect, useRef } from 'react'
import uPlot from 'uplot'
import type { LiveSeries } from '../lib/sample-store.ts'
import { watchVisibility } from '../lib/visibility.ts'

/**
 * A live sparkline on uPlot: canvas-drawn, built for streaming time series, ~50 KB. It subscribes
 * to its series itself and redraws in place with setData, without React re-rendering anything;
 * sparklines scrolled out of view skip their redraws and catch up when they come back.
 */
export function Sparkline({
  series,
  color = '#6366f1',
  width = 120,
  height = 28,
  floor = 1e-9,
}: {
  series: LiveSeries
  color?: string
  width?: number
  height?: number
  /** The lowest top of the scale: values far below it draw as the near-flat line they are. */
  floor?: number
}) {
  const ref = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const el = ref.current
    if (!el) return
    const plot = new uPlot(
      {
        width,
        height,
        legend: { show: false },
        cursor: { show: false },
        select: { show: false, left: 0, top: 0, width: 0, height: 0 },
        axes: [{ show: false }, { show: false }],
        scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(max * 1.1, floor)] } },
        series: [{}, { stroke: color, width: 1.5, fill: `${color}22`, points: { show: false } }],
      },
      [[], []],
      el,
    )
    let visible = false
    let drawn = -1
    const draw = () => {
      if (!visible || series.version() === drawn) return
      const data = series.get()
      plot.setData(data)
      drawn = series.version()
      el.dataset.points = String(data[1].length)
    }
    const unwatch = watchVisibility(el, (isVisible) => {
      visible = isVisible
      draw()
    })
    const off = series.subscribe(draw)
    return () => {
      off()
      unwatch()
      plot.destroy()
    }
  }, [series, width, height, color, floor])
  return <div ref={ref} className="sparkline" data-points={0} style={{ width, height }} />
}
