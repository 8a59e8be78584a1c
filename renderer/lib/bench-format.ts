import type { BenchMetric, BenchReport, MetricSummary } from '../../contract/api.ts'
import { formatBytes } from '../../contract/format.ts'

export interface MetricInfo {
  key: BenchMetric
  label: string
  unit: 'ms' | 'bytes' | '%' | 'req/s' | 'count'
  /** For the reader: is a larger number better? */
  higherIsBetter: boolean
}

export const METRICS: MetricInfo[] = [
  { key: 'coldStartMs', label: 'Cold start', unit: 'ms', higherIsBetter: false },
  { key: 'firstResponseMs', label: 'First response', unit: 'ms', higherIsBetter: false },
  { key: 'idleMemoryBytes', label: 'Idle memory', unit: 'bytes', higherIsBetter: false },
  { key: 'requestsPerSecond', label: 'Requests/s', unit: 'req/s', higherIsBetter: true },
  { key: 'latencyP50Ms', label: 'Latency p50', unit: 'ms', higherIsBetter: false },
  { key: 'latencyP99Ms', label: 'Latency p99', unit: 'ms', higherIsBetter: false },
  { key: 'loadMemoryBytes', label: 'Memory under load', unit: 'bytes', higherIsBetter: false },
  { key: 'loadCpuPercent', label: 'CPU under load', unit: '%', higherIsBetter: false },
  { key: 'idleCpuPercent', label: 'Idle CPU', unit: '%', higherIsBetter: false },
  { key: 'artifactBytes', label: 'Artifact size', unit: 'bytes', higherIsBetter: false },
  { key: 'stopMs', label: 'Stop', unit: 'ms', higherIsBetter: false },
  { key: 'loadErrors', label: 'Errors under load', unit: 'count', higherIsBetter: false },
]

export function formatValue(v: number, unit: MetricInfo['unit']): string {
  if (!Number.isFinite(v)) return '–'
  switch (unit) {
    case 'ms':
      return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(v < 10 ? 2 : 0)} ms`
    case 'bytes':
      return formatBytes(v)
    case '%':
      return `${v.toFixed(1)}%`
    case 'req/s':
      return v.toFixed(0)
    case 'count':
      return String(Math.round(v))
  }
}

/** One row per kind × metric: every number a spreadsheet needs. */
export function benchToCsv(r: BenchReport): string {
  const rows = [
    [
      'kind',
      'workload',
      'metric',
      'median',
      'p95',
      'min',
      'max',
      'ci95_low',
      'ci95_high',
      'ci_coverage',
      'noisy',
      'samples',
    ],
  ]
  for (const k of r.results) {
    for (const m of METRICS) {
      const s = k.metrics[m.key]
      if (!s) continue
      rows.push(
        [
          k.kind,
          k.workload,
          m.key,
          s.median,
          s.p95,
          s.min,
          s.max,
          s.ci95[0],
          s.ci95[1],
          s.ciCoverage,
          s.noisy,
          s.samples.join(' '),
        ].map(String),
      )
    }
  }
  return `${rows.map((row) => row.map(csvCell).join(',')).join('\n')}\n`
}

function csvCell(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v
}

/** A Markdown table of medians with their intervals, plus what the numbers depend on. */
export function benchToMarkdown(r: BenchReport): string {
  const head = `| metric | ${r.results.map((k) => `${k.kind} (${k.workload})`).join(' | ')} |`
  const sep = `| --- | ${r.results.map(() => '---:').join(' | ')} |`
  const lines = METRICS.filter((m) => r.results.some((k) => k.metrics[m.key])).map((m) => {
    const cells = r.results.map((k) => {
      const s = k.metrics[m.key]
      return s ? summaryText(s, m.unit, ' ⚠') : k.metricErrors?.[m.key] ? 'error' : '–'
    })
    return `| ${m.label} | ${cells.join(' | ')} |`
  })
  const env = r.environment
  const verdict = r.verdict?.lines.length
    ? `${r.verdict.lines.map((l, n) => (n === 0 ? `**${l}**` : `- ${l}`)).join('\n')}\n\n`
    : ''
  const notes = [
    `${r.options.repeats} repeats (+${r.options.warmups} warm-up), kinds interleaved; median [interval of the median]; ⚠ marks an interval wider than 25% of its median.`,
    ...r.results
      .filter((k) => k.direct)
      .map(
        (k) =>
          `Worldbench overhead, ${k.kind}: first response ${formatValue(k.metrics.firstResponseMs!.median, 'ms')} vs ${formatValue(k.direct!.firstResponseMs.median, 'ms')} started directly = ${k.direct!.overhead.toFixed(2)}×.`,
      ),
    ...r.results
      .filter((k) => k.timeline?.length)
      .map(
        (k) =>
          `Where the ${k.kind} cold start goes (median per phase): ${k.timeline!.map((p) => `${p.name} ${formatValue(p.ms, 'ms')}`).join(' → ')}.`,
      ),
    ...r.results
      .filter((k) => k.breakdown?.idle.length)
      .map(
        (k) =>
          `${k.kind} idle memory = ${k.breakdown!.idle.map((p) => `${p.name} ${formatBytes(p.memoryBytes)}`).join(' + ')}.`,
      ),
    ...(r.engineOverhead ?? []).map(
      (e) =>
        `${e.kind} engine overhead, shared and in no workload: ${e.parts.map((p) => `${p.name} ${formatBytes(p.memoryBytes)}`).join(', ')}.`,
    ),
    ...r.results.flatMap((k) =>
      Object.entries(k.metricErrors ?? {}).map(([metric, e]) => `**${k.kind} ${metric}:** ${e.message}`),
    ),
    `Host: ${env.host.cpuModel}, ${env.host.cores} cores, ${formatValue(env.host.memoryBytes, 'bytes')}, ${env.host.os}. Load at start ${env.loadAtStart[0].toFixed(2)}. Power: ${env.power}.`,
    ...env.engines.map((e) => `${e.kind}: ${e.engine}`),
    ...env.warnings.map((w) => `**Warning:** ${w}`),
    ...r.results.filter((k) => k.error).map((k) => `**${k.kind} failed:** ${k.error!.message}`),
  ]
  return `# ${r.title}\n\n${verdict}${head}\n${sep}\n${lines.join('\n')}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n`
}

/** Why a figure is or is not flagged, with its numbers: the tooltip of a cell. */
export function spreadNote(s: MetricSummary, unit: MetricInfo['unit']): string {
  if (s.samples.length === 1) return 'no spread: 1 repeat'
  const width = s.ci95[1] - s.ci95[0]
  if (width === 0) return `constant over ${s.samples.length} repeats`
  const pct = s.median === 0 ? Number.POSITIVE_INFINITY : (width / Math.abs(s.median)) * 100
  return `interval ${formatValue(s.ci95[0], unit)}–${formatValue(s.ci95[1], unit)} is ${Number.isFinite(pct) ? pct.toFixed(0) : '∞'}% of the median ${formatValue(s.median, unit)} (noisy above 25%), ${s.samples.length} repeats`
}

/** A median with its interval, marked noisy only when it is; a single repeat is just its value. */
export function summaryText(s: MetricSummary, unit: MetricInfo['unit'], noisyMark = ' ⚠ noisy'): string {
  if (s.samples.length === 1) return formatValue(s.median, unit)
  return `${formatValue(s.median, unit)} [${formatValue(s.ci95[0], unit)}–${formatValue(s.ci95[1], unit)}]${s.noisy ? noisyMark : ''}`
}

/**
 * This run against an earlier one: the ratio of the medians, an arrow for the direction, and
 * whether that is better (for the metric's sense of better).
 */
export function comparison(
  now: number,
  before: number,
  higherIsBetter: boolean,
): { text: string; better: boolean | undefined } {
  if (!Number.isFinite(now) || !Number.isFinite(before) || before === 0)
    return { text: '–', better: undefined }
  const r = now / before
  if (Math.abs(r - 1) < 0.005) return { text: '×1.00 =', better: undefined }
  return { text: `×${r.toFixed(2)} ${r > 1 ? '▲' : '▼'}`, better: r > 1 === higherIsBetter }
}
