import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react'
import uPlot from 'uplot'
import type { Kind, MetricSummary } from '../../contract/api.ts'

const KIND_COLOR: Record<Kind, string> = { vm: '#8b5cf6', container: '#0ea5e9', wasm: '#f59e0b' }

export interface BenchChartHandle {
  png(): string | undefined
}

/**
 * One metric, kinds side by side: a bar at the median and a whisker for the interval of the
 * median. The y axis turns logarithmic when the kinds differ by more than 20× (a VM's cold start
 * next to Wasm's would otherwise flatten Wasm to nothing), and says so.
 */
export const BenchChart = forwardRef<
  BenchChartHandle,
  {
    title: string
    kinds: Kind[]
    summaries: (MetricSummary | undefined)[]
    format: (v: number) => string
    width?: number
    height?: number
  }
>(function BenchChart({ title, kinds, summaries, format, width = 360, height = 220 }, ref) {
  const el = useRef<HTMLDivElement>(null)
  const plot = useRef<uPlot | null>(null)
  useImperativeHandle(ref, () => ({ png: () => plot.current?.ctx.canvas.toDataURL('image/png') }))
  useEffect(() => {
    if (!el.current) return
    const medians = summaries.map((s) => s?.median ?? null)
    const positive = medians.filter((v): v is number => v !== null && v > 0)
    const log = positive.length > 1 && Math.max(...positive) / Math.min(...positive) > 20
    const xs = kinds.map((_, i) => i)
    const bars = uPlot.paths.bars!({ size: [0.6, 80], align: 0 })
    plot.current = new uPlot(
      {
        title: log ? `${title} (log scale)` : title,
        width,
        height,
        legend: { show: false },
        cursor: { show: false },
        scales: {
          x: { time: false, range: [-0.5, kinds.length - 0.5] },
          y: log
            ? { distr: 3, log: 10 }
            : {
                range: (_u, _min, max) => [0, Math.max(max, ...summaries.map((s) => s?.ci95[1] ?? 0)) * 1.15],
              },
        },
        axes: [
          {
            values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? (kinds[t] ?? '') : '')),
            splits: () => xs,
            stroke: '#94a3b8',
          },
          { values: (_u, ticks) => ticks.map(format), size: 72, stroke: '#94a3b8' },
        ],
        series: [
          {},
          {
            label: title,
            paths: bars,
            points: { show: false },
            fill: (_u: uPlot, _i: number) => '#6366f1aa',
            stroke: '#6366f1',
          },
        ],
        hooks: {
          draw: [
            (u) => {
              const ctx = u.ctx
              ctx.save()
              summaries.forEach((s, i) => {
                if (!s) return
                const x = u.valToPos(i, 'x', true)
                const lo = u.valToPos(Math.max(s.ci95[0], log ? 1e-9 : 0), 'y', true)
                const hi = u.valToPos(s.ci95[1], 'y', true)
                ctx.strokeStyle = KIND_COLOR[kinds[i]!]
                ctx.lineWidth = 2 * devicePixelRatio
                ctx.beginPath()
                ctx.moveTo(x, lo)
                ctx.lineTo(x, hi)
                for (const y of [lo, hi]) {
                  ctx.moveTo(x - 8 * devicePixelRatio, y)
                  ctx.lineTo(x + 8 * devicePixelRatio, y)
                }
                ctx.stroke()
                ctx.fillStyle = '#64748b'
                ctx.font = `${11 * devicePixelRatio}px sans-serif`
                ctx.textAlign = 'center'
                ctx.fillText(format(s.median) + (s.noisy ? ' ⚠' : ''), x, hi - 6 * devicePixelRatio)
              })
              ctx.restore()
            },
          ],
        },
      },
      [xs, medians],
      el.current,
    )
    return () => {
      plot.current?.destroy()
      plot.current = null
    }
  }, [title, kinds, summaries, format, width, height])
  return <div ref={el} data-testid={`bench-chart-${title}`} />
})
