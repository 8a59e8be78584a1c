import type { BenchKindResult, BenchMetric, BenchReport, Kind } from '../../../contract/api.ts'
import { connect } from '../connect.ts'
import { printJson } from '../output.ts'
import { formatBytes, table } from '../table.ts'
import { withTrust } from '../trust.ts'
import { printWorldWarnings } from '../world-warnings.ts'

export interface BenchCliOptions {
  kinds?: string
  repeats: string
  warmups: string
  loadSeconds: string
  idleSeconds: string
  connections: string
  density?: string
  densityBudget?: string
  direct?: boolean
  json?: boolean
  yes?: boolean
}

/** `worldbench bench`: compare the kinds of a world; progress on stderr, results on stdout. */
export async function benchCommand(world: string, opts: BenchCliOptions): Promise<number> {
  if (!opts.json) await printWorldWarnings(world)
  const conn = await connect('own', 'bench')
  const off = conn.api.on('progress', (p) => {
    if (p.scope === 'bench' && !opts.json)
      process.stderr.write(`  [${String(Math.round(p.percent ?? 0)).padStart(3)}%] ${p.message ?? p.step}\n`)
  })
  try {
    const report = await withTrust(conn.api, opts.yes, () =>
      conn.api.benchRun({
        world,
        ...(opts.kinds && { kinds: opts.kinds.split(',').map((k) => k.trim()) as Kind[] }),
        repeats: Number(opts.repeats),
        warmups: Number(opts.warmups),
        loadSeconds: Number(opts.loadSeconds),
        idleSeconds: Number(opts.idleSeconds),
        connections: Number(opts.connections),
        ...(opts.direct && { direct: true }),
        ...(opts.density && {
          density: {
            count: Number(opts.density),
            ...(opts.densityBudget && { memoryBudgetMiB: Number(opts.densityBudget) }),
          },
        }),
      }),
    )
    if (opts.json) printJson(report)
    else process.stdout.write(formatBench(report))
    return report.results.some((r) => r.error) ? 1 : 0
  } finally {
    off()
    await conn.close()
  }
}

const ROWS: { key: BenchMetric; label: string; fmt: (v: number) => string }[] = [
  { key: 'artifactBytes', label: 'artifact size', fmt: formatBytes },
  { key: 'coldStartMs', label: 'cold start', fmt: (v) => `${v.toFixed(0)} ms` },
  { key: 'firstResponseMs', label: 'first response', fmt: (v) => `${v.toFixed(0)} ms` },
  { key: 'idleMemoryBytes', label: 'idle memory', fmt: formatBytes },
  { key: 'idleCpuPercent', label: 'idle CPU', fmt: (v) => `${v.toFixed(1)}%` },
  { key: 'requestsPerSecond', label: 'requests/s', fmt: (v) => v.toFixed(0) },
  { key: 'latencyP50Ms', label: 'latency p50', fmt: (v) => `${v.toFixed(2)} ms` },
  { key: 'latencyP99Ms', label: 'latency p99', fmt: (v) => `${v.toFixed(2)} ms` },
  { key: 'loadMemoryBytes', label: 'memory under load', fmt: formatBytes },
  { key: 'loadCpuPercent', label: 'CPU under load', fmt: (v) => `${v.toFixed(0)}%` },
  { key: 'stopMs', label: 'stop', fmt: (v) => `${v.toFixed(0)} ms` },
]

export function formatBench(r: BenchReport): string {
  const kinds = r.results
  const cell = (k: BenchKindResult, key: BenchMetric, fmt: (v: number) => string) => {
    const m = k.metrics[key]
    if (!m) return k.metricErrors?.[key] ? 'error (see below)' : '-'
    if (m.samples.length === 1) return fmt(m.median)
    return `${fmt(m.median)} [${fmt(m.ci95[0])}–${fmt(m.ci95[1])}]${m.noisy ? ' ~noisy' : ''}`
  }
  const rows = ROWS.map((row) => [row.label, ...kinds.map((k) => cell(k, row.key, row.fmt))])
  let out = `${r.title} — ${r.options.repeats} repeat${r.options.repeats === 1 ? ' (no spread: 1 repeat)' : 's'} (+${r.options.warmups} warm-up), kinds interleaved\n`
  out += `host: ${r.environment.host.cpuModel}, ${r.environment.host.cores} cores, ${formatBytes(r.environment.host.memoryBytes)}, ${r.environment.host.os}; load at start ${r.environment.loadAtStart[0].toFixed(2)}\n\n`
  if (r.verdict?.lines.length)
    out += `${r.verdict.lines.map((l, n) => (n === 0 ? l : `  ${l}`)).join('\n')}\n\n`
  out += `${table(['median [interval]', ...kinds.map((k) => `${k.kind} (${k.workload})`)], rows)}\n`
  const direct = kinds.filter((k) => k.direct)
  if (direct.length > 0) {
    out += '\nWorldbench overhead (start requested → first HTTP success, vs the engine started directly):\n'
    for (const k of direct)
      out += `  ${k.kind}: ${k.metrics.firstResponseMs!.median.toFixed(0)} ms vs ${k.direct!.firstResponseMs.median.toFixed(0)} ms direct = ${k.direct!.overhead.toFixed(2)}×\n`
  }
  const timed = kinds.filter((k) => k.timeline?.length)
  if (timed.length > 0) {
    out += '\nWhere the cold start goes (median of each phase, start requested → first HTTP success):\n'
    for (const k of timed) {
      const phases = k.timeline!.map((p) => `${p.name} ${p.ms.toFixed(0)} ms`).join(' → ')
      out += `  ${k.kind}: ${phases} = ${k.timeline!.reduce((a, p) => a + p.ms, 0).toFixed(0)} ms\n`
    }
  }
  for (const k of kinds) {
    if (!k.breakdown?.idle.length) continue
    const parts = k.breakdown.idle.map((p) => `${p.name} ${formatBytes(p.memoryBytes)}`).join(' + ')
    out += `\n${k.kind} idle memory = ${parts}`
  }
  for (const e of r.engineOverhead ?? [])
    out += `\n${e.kind} engine overhead (shared, not in any workload): ${e.parts.map((p) => `${p.name} ${formatBytes(p.memoryBytes)}`).join(', ')}`
  for (const k of kinds) {
    for (const [metric, e] of Object.entries(k.metricErrors ?? {}))
      out += `\n${k.kind} ${metric}: ${e.message}${e.hint ? ` (${e.hint})` : ''}`
    if (k.error)
      out += `\n${k.kind} FAILED: ${k.error.message}${k.error.hint ? `\n  hint: ${k.error.hint}` : ''}`
  }
  for (const w of r.environment.warnings) out += `\nWARNING: ${w}`
  return `${out}\n`
}
