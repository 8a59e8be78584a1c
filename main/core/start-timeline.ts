import type { StartPhase } from '../../contract/api.ts'
import { percentile } from './bench/stats.ts'

/** A moment a start reached: the phase that ends there, in epoch milliseconds. */
export interface StartMark {
  phase: string
  at: number
  /**
   * The moment necessarily came before the workload could answer (its process had to run first),
   * even when it was observed later: seen after the end, it ends there instead of being dropped.
   */
  beforeReady?: boolean
}

/**
 * Epoch milliseconds with performance.now()'s resolution: comparable across processes on one
 * machine (a Wasm host, the Docker engine's clock), unlike performance.now() alone.
 */
export function epochNow(): number {
  return performance.timeOrigin + performance.now()
}

/** The same moment as a performance.now() reading of this process, in epoch milliseconds. */
export function epochOf(perfNow: number): number {
  return performance.timeOrigin + perfNow
}

/**
 * The phases of one start, from its request (t0) to the first success (end), as durations.
 * Marks are taken in time order and clamped into [t0, end] (clocks of two processes may
 * disagree by a little); a mark after the end is dropped, as that phase was not on the path, unless it is one the
 * workload had to pass before it could answer (observed late): that one ends at the end.
 * The last phase, `lastName`, runs from the last mark to the end, so the sum is end − t0.
 */
export function startPhases(
  t0: number,
  marks: readonly StartMark[],
  end: number,
  lastName: string,
): StartPhase[] {
  const phases: StartPhase[] = []
  let at = t0
  for (const m of [...marks].sort((a, b) => a.at - b.at)) {
    if (m.at > end && !m.beforeReady) continue
    const next = Math.max(at, Math.min(m.at, end))
    phases.push({ name: m.phase, ms: next - at })
    at = next
  }
  phases.push({ name: lastName, ms: Math.max(0, end - at) })
  return phases
}

/** Per phase name, the median duration over runs, in the order the phases first appear. */
export function medianPhases(runs: readonly StartPhase[][]): StartPhase[] {
  const byName = new Map<string, number[]>()
  for (const run of runs) for (const p of run) byName.set(p.name, [...(byName.get(p.name) ?? []), p.ms])
  return [...byName].map(([name, values]) => ({
    name,
    ms: percentile(
      [...values].sort((a, b) => a - b),
      50,
    ),
  }))
}

/** An RFC 3339 time with up to nanoseconds (as engines report them) in epoch ms, keeping the sub-ms part. */
export function isoEpochMs(iso: string): number {
  const fraction = /\.(\d+)/.exec(iso)?.[1] ?? ''
  return Date.parse(iso) + Number(`0.${fraction.slice(3) || '0'}`)
}
