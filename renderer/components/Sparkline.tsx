import { useEffect, useRef } from 'react'
import uPlot from 'uplot'

/**
 * A live sparkline on uPlot: canvas-drawn, built for streaming time series, ~50 KB, and
 * updated in place with setData (no re-mount, so no flicker when samples arrive).
 */
export function Sparkline({ times, values, color = '#6366f1', width = 120, height = 28 }: {
  times: number[]
  values: number[]
  color?: string
  width?: number
  height?: number
}) {
  const ref = useRef<HTMLDivElement>(null)
  const plot = useRef<uPlot | null>(null)
  useEffect(() => {
    if (!ref.current) return
    plot.current = new uPlot(
      {
        width,
        height,
        legend: { show: false },
        cursor: { show: false },
        select: { show: false, left: 0, top: 0, width: 0, height: 0 },
        axes: [{ show: false }, { show: false }],
        scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(max, 1e-9) * 1.1] } },
        series: [{}, { stroke: color, width: 1.5, fill: `${color}22`, points: { show: false } }],
      },
      [[], []],
      ref.current,
    )
    return () => {
      plot.current?.destroy()
      plot.current = null
    }
  }, [width, height, color])
  useEffect(() => {
    plot.current?.setData([times, values])
  }, [times, values])
  return <div ref={ref} className="sparkline" data-points={values.length} style={{ width, height }} />
}
