import type { BenchKindResult, BenchMetric, BenchVerdict, Kind, VerdictRow } from '../../../contract/api.ts'
import { formatBytes } from '../../../contract/format.ts'

/** The metrics the verdict ranks, in the order people ask about them. */
const RANKED: { metric: BenchMetric; label: string; higherIsBetter?: boolean }[] = [
  { metric: 'coldStartMs', label: 'cold start' },
  { metric: 'firstResponseMs', label: 'first response' },
  { metric: 'idleMemoryBytes', label: 'idle memory' },
  { metric: 'loadMemoryBytes', label: 'memory under load' },
  { metric: 'requestsPerSecond', label: 'requests/s', higherIsBetter: true },
  { metric: 'loadCpuPercent', label: 'CPU under load' },
  { metric: 'latencyP50Ms', label: 'latency p50' },
  { metric: 'artifactBytes', label: 'artifact size' },
]

/** The common claim is about efficiency: what a workload costs to start, keep and feed. */
const CLAIM: BenchMetric[] = [
  'coldStartMs',
  'firstResponseMs',
  'idleMemoryBytes',
  'loadMemoryBytes',
  'requestsPerSecond',
  'artifactBytes',
]
const CLAIMED_ORDER: Kind[] = ['wasm', 'container', 'vm']
const NAME: Record<Kind, string> = { wasm: 'Wasm', container: 'the container', vm: 'the VM' }

export function formatMetric(metric: BenchMetric, v: number): string {
  if (metric.endsWith('Bytes')) return formatBytes(v)
  if (metric.endsWith('Ms'))
    return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(v < 10 ? 1 : 0)} ms`
  if (metric.endsWith('Percent')) return `${v.toFixed(1)}%`
  return v.toFixed(0)
}

/** "9.1×", "1.3×", "160×" */
export function formatRatio(r: number): string {
  return `${r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`
}

/**
 * Who won, from the medians of the kinds that ran: per metric the ranking with each kind's ratio
 * to the best, and whether the common claim (Wasm most efficient, containers middle, VMs least)
 * held here. Only kinds without an error and metrics with a number for at least two kinds count.
 */
export function benchVerdict(results: BenchKindResult[]): BenchVerdict {
  const ok = results.filter((r) => !r.error)
  const rows: VerdictRow[] = []
  for (const { metric, higherIsBetter = false } of RANKED) {
    const have = ok
      .map((r) => ({ kind: r.kind, median: r.metrics[metric]?.median }))
      .filter((x): x is { kind: Kind; median: number } => x.median !== undefined && Number.isFinite(x.median))
    if (have.length < 2) continue
    have.sort((a, b) => (higherIsBetter ? b.median - a.median : a.median - b.median))
    const best = have[0]!.median
    rows.push({
      metric,
      higherIsBetter,
      ranking: have.map((x) => ({ ...x, ratioToBest: ratio(best, x.median, higherIsBetter) })),
    })
  }
  const lines = rows.map(rowLine)
  const claim = claimLine(rows)
  return {
    rows,
    lines: claim ? [claim.line, ...lines] : lines,
    ...(claim && { claimHolds: claim.holds }),
  }
}

function ratio(best: number, v: number, higherIsBetter: boolean): number {
  if (best === v) return 1
  return higherIsBetter
    ? v === 0
      ? Number.POSITIVE_INFINITY
      : best / v
    : best === 0
      ? Number.POSITIVE_INFINITY
      : v / best
}

/** "first response: Wasm best (12 ms); the container 9.1× (110 ms), the VM 160× (1.92 s)" */
function rowLine(row: VerdictRow): string {
  const label = RANKED.find((r) => r.metric === row.metric)!.label
  const [best, ...rest] = row.ranking
  const others = rest.map(
    (x) =>
      `${NAME[x.kind]} ${Number.isFinite(x.ratioToBest) ? formatRatio(x.ratioToBest) : 'infinitely'} ${row.higherIsBetter ? 'fewer' : 'more'} (${formatMetric(row.metric, x.median)})`,
  )
  return `${label}: ${capital(NAME[best!.kind])} best (${formatMetric(row.metric, best!.median)}); ${others.join(', ')}`
}

/**
 * "Here, Wasm was the most efficient on 5 of 6 metrics; the container beat it on idle memory
 * (0.9 MiB vs 2.1 MiB). The claim Wasm < containers < VMs held on 4 of 6."
 */
function claimLine(rows: VerdictRow[]): { line: string; holds: boolean } | undefined {
  const claimRows = rows.filter((r) => CLAIM.includes(r.metric) && r.ranking.some((x) => x.kind === 'wasm'))
  if (claimRows.length === 0) return undefined
  const lost = claimRows.filter((r) => r.ranking[0]!.kind !== 'wasm')
  const won = claimRows.length - lost.length
  const beats = lost.map((r) => {
    const label = RANKED.find((x) => x.metric === r.metric)!.label
    const wasm = r.ranking.find((x) => x.kind === 'wasm')!
    const winner = r.ranking[0]!
    return `${NAME[winner.kind]} beat it on ${label} (${formatMetric(r.metric, winner.median)} vs ${formatMetric(r.metric, wasm.median)})`
  })
  let line = `Here, Wasm was the most efficient on ${won} of ${claimRows.length} metrics${beats.length ? `; ${beats.join('; ')}` : ''}.`
  const full = claimRows.filter((r) => CLAIMED_ORDER.every((k) => r.ranking.some((x) => x.kind === k)))
  let holds = lost.length === 0
  if (full.length > 0) {
    const held = full.filter((r) => CLAIMED_ORDER.every((k, n) => r.ranking[n]!.kind === k)).length
    holds = held === full.length
    line += ` The common claim (Wasm most efficient, containers in the middle, VMs least) held on ${held} of ${full.length}${holds ? '' : ', so not across the board here'}.`
  }
  return { line, holds }
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1)
}
