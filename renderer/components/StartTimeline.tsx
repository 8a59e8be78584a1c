import type { StartPhase } from '../../contract/api.ts'
import { formatValue } from '../lib/bench-format.ts'
import { Card } from './ui.tsx'

const PHASE_COLORS = [
  'bg-sky-500',
  'bg-violet-500',
  'bg-amber-500',
  'bg-emerald-500',
  'bg-rose-500',
  'bg-slate-500',
]

/** One start as a stacked horizontal bar: each phase's width is its share of the whole, to scale across bars by `scaleMs`. */
export function StartTimeline({ phases, scaleMs }: { phases: StartPhase[]; scaleMs?: number }) {
  const total = phases.reduce((a, p) => a + p.ms, 0)
  const scale = Math.max(scaleMs ?? total, total, 1e-9)
  return (
    <div data-testid="start-timeline">
      <div
        className="flex h-4 overflow-hidden rounded bg-slate-100 dark:bg-slate-800"
        style={{ width: '100%' }}
      >
        {phases.map((p, n) => (
          <div
            key={p.name}
            className={PHASE_COLORS[n % PHASE_COLORS.length]}
            style={{ width: `${(p.ms / scale) * 100}%` }}
            title={`${p.name}: ${formatValue(p.ms, 'ms')}`}
          />
        ))}
      </div>
      <div className="mt-1 flex flex-wrap gap-x-3 text-xs text-slate-500">
        {phases.map((p, n) => (
          <span key={p.name}>
            <span
              className={`mr-1 inline-block h-2 w-2 rounded-sm ${PHASE_COLORS[n % PHASE_COLORS.length]}`}
            />
            {p.name} {formatValue(p.ms, 'ms')}
          </span>
        ))}
        <span className="font-medium">= {formatValue(total, 'ms')}</span>
      </div>
    </div>
  )
}

/** An instance's own start, request to ready, in a card. */
export function StartTimelineCard({ phases }: { phases: StartPhase[] | undefined }) {
  if (!phases?.length) return null
  return (
    <Card className="mb-4 text-sm">
      <h2 className="mb-2 font-semibold">Where its start went</h2>
      <StartTimeline phases={phases} />
    </Card>
  )
}
