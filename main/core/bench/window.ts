import type { CostPart } from '../../../contract/api.ts'
import { WorldbenchError } from '../errors.ts'
import { type CostReading, cpuPercentBetween, cpuSecondsByPart, totalMemoryBytes } from '../metrics/cost.ts'
import { sleep } from '../readiness.ts'
import type { Instance, Runtime } from '../runtime.ts'
import { percentile } from './stats.ts'

/** Readings through a window: enough for a 1 s load window to give about ten. */
export const WINDOW_SAMPLE_MS = 100
/** Fewer readings than this inside a window is an error in the report, never a 0. */
export const MIN_WINDOW_READINGS = 3

export interface WindowResult {
  cpuPercent: number
  /** Median of the full memory over the window's readings. */
  medianMemoryBytes: number
  peakMemoryBytes: number
  readings: number
  /** CPU % of each part over the window. */
  cpuPercentByPart: Record<string, number>
  lastParts: CostPart[]
}

/**
 * Reads a workload's full cost from the start of a window until `until` settles (or `ms` pass),
 * every WINDOW_SAMPLE_MS, plus once at each edge. CPU comes from the CPU time used between the
 * edges, so it is exact whatever the number of readings; memory from the readings themselves.
 */
export async function measureWindow(
  read: () => Promise<CostPart[]>,
  what: string,
  until: Promise<unknown> | number,
): Promise<WindowResult> {
  const readings: CostReading[] = []
  const take = async () => readings.push({ at: performance.now(), parts: await read() })
  let done = false
  const end =
    typeof until === 'number'
      ? sleep(until)
      : until.then(
          () => undefined,
          () => undefined,
        )
  void end.then(() => {
    done = true
  })
  await take()
  while (!done) {
    await Promise.race([sleep(WINDOW_SAMPLE_MS), end])
    await take()
  }
  await until
  if (readings.length < MIN_WINDOW_READINGS)
    throw new WorldbenchError(
      'TOO_FEW_SAMPLES',
      `Only ${readings.length} readings of ${what}: too few for a number.`,
      'Lengthen the window (--load-seconds / --idle-seconds), or run on a less busy machine.',
    )
  const first = readings[0]!
  const last = readings[readings.length - 1]!
  const totals = readings.map((r) => totalMemoryBytes(r.parts)).sort((a, b) => a - b)
  const seconds = (last.at - first.at) / 1000
  const byPart: Record<string, number> = {}
  for (const [name, cpu] of cpuSecondsByPart(first, last))
    byPart[name] = (byPart[name] ?? 0) + (cpu / seconds) * 100
  return {
    cpuPercent: cpuPercentBetween(first, last),
    medianMemoryBytes: percentile(totals, 50),
    peakMemoryBytes: totals[totals.length - 1]!,
    readings: readings.length,
    cpuPercentByPart: byPart,
    lastParts: last.parts,
  }
}

/** The full cost when the runtime can tell it; else its sample's memory, with no CPU time. */
export function costReader(runtime: Runtime, instance: Instance): () => Promise<CostPart[]> {
  if (runtime.cost) return () => runtime.cost!(instance)
  return async () => {
    const s = await runtime.sample(instance)
    return [{ name: instance.kind, memoryBytes: s.memoryBytes, cpuSeconds: Number.NaN }]
  }
}
