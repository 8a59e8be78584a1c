import type { DensityResult } from '../../../contract/api.ts'
import { toErrorShape } from '../errors.ts'
import { logFailure } from '../log.ts'
import { totalMemoryBytes } from '../metrics/cost.ts'
import { sleep } from '../readiness.ts'
import type { Instance, Runtime } from '../runtime.ts'
import { startOne } from '../start-one.ts'
import type { Workload } from '../world/schema.ts'
import { costReader } from './window.ts'

/**
 * Starts instances of one workload one after another (each ready before the next) until the
 * count or the memory budget is reached, sampling the memory of all after each start; then
 * stops them all. The slope of total memory over count is the marginal cost of one more.
 */
export async function measureDensity(
  runtime: Runtime,
  w: Workload,
  limit: { count: number; memoryBudgetMiB?: number },
  progress: (n: number) => void,
): Promise<DensityResult> {
  const artifact = await runtime.prepare(w, () => {})
  const instances: Instance[] = []
  const totals: number[] = []
  let stoppedBecause: DensityResult['stoppedBecause'] = 'count'
  let error: DensityResult['error']
  try {
    while (instances.length < limit.count) {
      const { instance } = await startOne(w, { runtime, artifact, prepareScript: false })
      instances.push(instance)
      await sleep(500)
      // The same full cost as the rounds: shims and proxies included.
      const costs = await Promise.all(instances.map((i) => costReader(runtime, i)()))
      const total = costs.reduce((a, parts) => a + totalMemoryBytes(parts), 0)
      totals.push(total)
      progress(instances.length)
      if (limit.memoryBudgetMiB !== undefined && total >= limit.memoryBudgetMiB * 1024 * 1024) {
        stoppedBecause = 'memory budget'
        break
      }
    }
  } catch (err) {
    stoppedBecause = 'error'
    error = toErrorShape(err)
  } finally {
    await Promise.all(
      instances.map((i) =>
        runtime
          .stop(i, { timeoutMs: 10_000 })
          .catch((err: unknown) => logFailure('could not stop a density instance', err, { instance: i.id })),
      ),
    )
  }
  return {
    started: totals.length,
    stoppedBecause,
    ...(error && { error }),
    totalMemoryBytes: totals,
    marginalMemoryBytes: slope(totals),
  }
}

/** Least-squares slope of ys over 1..n; with one point, that point. */
export function slope(ys: number[]): number {
  const n = ys.length
  if (n === 0) return Number.NaN
  if (n === 1) return ys[0]!
  const xMean = (n + 1) / 2
  const yMean = ys.reduce((a, b) => a + b, 0) / n
  let num = 0
  let den = 0
  ys.forEach((y, i) => {
    num += (i + 1 - xMean) * (y - yMean)
    den += (i + 1 - xMean) ** 2
  })
  return num / den
}
