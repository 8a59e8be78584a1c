import { useEffect, useRef } from 'react'
import uPlot from 'uplot'
import type { MetricName } from '../lib/metric-help.ts'
import { clockLabels } from '../lib/time-labels.ts'
import { MetricHelp } from './MetricHelp.tsx'

export interface Series {
  label: string
  values: (number | null)[]
  color: string
}

/**
 * A time-series chart on uPlot; drag to zoom, double-click to reset. Data updates in place.
 * Its heading says what the metric counts; a kind whose engine does not report the metric gets
 * that sentence instead of an empty chart.
 */
export function TimeChart({
  title,
  metric,
  times,
  series,
  format,
  height = 180,
  minTop = 1,
  notMeasured,
}: {
  title: string
  metric: MetricName
  times: number[]
  series: Series[]
  format: (v: number) => string
  height?: number
  /** The lowest top of the y axis, so near-zero data does not get ticks that all read "0.0%". */
  minTop?: number
  notMeasured?: string | undefined
}) {
  const ref = useRef<HTMLDivElement>(null)
  const plot = useRef<uPlot | null>(null)
  const labels = series.map((s) => s.label).join('|')
  // biome-ignore lint/correctness/useExhaustiveDependencies: rebuilt only when the set of series changes
  useEffect(() => {
    if (!ref.current || notMeasured) return
    const width = ref.current.clientWidth || 600
    plot.current = new uPlot(
      {
        width,
        height,
        axes: [
          {
            stroke: '#94a3b8',
            // Room for "00:00:00" at every tick, so labels never run into each other.
            space: 80,
            values: (_u, vals, _axis, _space, incr) => clockLabels(vals, incr),
          },
          { stroke: '#94a3b8', values: (_u, vals) => vals.map((v) => format(v)), size: 84, space: 30 },
        ],
        series: [
          { value: (_u: uPlot, v: number | null) => (v == null ? '–' : clockLabels([v], 1)[0]!) },
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
  }, [labels, height, minTop, notMeasured])
  useEffect(() => {
    plot.current?.setData([times, ...series.map((s) => s.values)], false)
    plot.current?.setScale('x', { min: times[0] ?? 0, max: times[times.length - 1] ?? 1 })
  }, [times, series])
  return (
    <div data-testid={`chart-${title}`}>
      <h3 className="mb-1 text-sm font-semibold">
        <MetricHelp metric={metric} />
      </h3>
      {notMeasured ? (
        <p
          className="flex items-center justify-center rounded border border-dashed border-slate-300 p-4 text-center text-sm text-slate-500 dark:border-slate-700"
          style={{ height }}
          data-testid="not-measured"
        >
          {notMeasured}
        </p>
      ) : (
        <div ref={ref} className="time-chart w-full" />
      )}
    </div>
  )
}
