import { useEffect, useRef } from 'react'
import uPlot from 'uplot'

export interface Series {
  label: string
  values: (number | null)[]
  color: string
}

/** A time-series chart on uPlot; drag to zoom, double-click to reset. Data updates in place. */
export function TimeChart({
  title,
  times,
  series,
  format,
  height = 180,
  minTop = 1,
}: {
  title: string
  times: number[]
  series: Series[]
  format: (v: number) => string
  height?: number
  /** The lowest top of the y axis, so near-zero data does not get ticks that all read "0.0%". */
  minTop?: number
}) {
  const ref = useRef<HTMLDivElement>(null)
  const plot = useRef<uPlot | null>(null)
  const labels = series.map((s) => s.label).join('|')
  // biome-ignore lint/correctness/useExhaustiveDependencies: rebuilt only when the set of series changes
  useEffect(() => {
    if (!ref.current) return
    const width = ref.current.clientWidth || 600
    plot.current = new uPlot(
      {
        title,
        width,
        height,
        axes: [
          { stroke: '#94a3b8' },
          { stroke: '#94a3b8', values: (_u, vals) => vals.map((v) => format(v)), size: 84 },
        ],
        series: [
          {},
          ...series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: 1.5,
            value: (_u: uPlot, v: number | null) => (v == null ? '–' : format(v)),
          })),
        ],
        scales: {
          y: { range: (_u, _min, max) => [0, Math.max(Number.isFinite(max) ? max * 1.1 : 0, minTop)] },
        },
      },
      [times, ...series.map((s) => s.values)],
      ref.current,
    )
    const ro = new ResizeObserver(
      () => ref.current && plot.current?.setSize({ width: ref.current.clientWidth, height }),
    )
    ro.observe(ref.current)
    return () => {
      ro.disconnect()
      plot.current?.destroy()
      plot.current = null
    }
  }, [labels, title, height, minTop])
  useEffect(() => {
    plot.current?.setData([times, ...series.map((s) => s.values)], false)
    plot.current?.setScale('x', { min: times[0] ?? 0, max: times[times.length - 1] ?? 1 })
  }, [times, series])
  return <div ref={ref} className="time-chart w-full" data-testid={`chart-${title}`} />
}
