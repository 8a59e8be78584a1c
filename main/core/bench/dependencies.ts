import { WorldbenchError } from '../errors.ts'
import { logFailure } from '../log.ts'
import type { Instance, Progress } from '../runtime.ts'
import type { RuntimeRegistry } from '../runtime-registry.ts'
import { startOne } from '../start-one.ts'
import { dependencyWaves } from '../world/order.ts'
import type { Workload, World } from '../world/schema.ts'

export interface Dependencies {
  /** The URL of a running dependency, for `${workloads.<name>.url}` references. */
  urlOf(name: string): string | undefined
  stop(): Promise<void>
}

/**
 * What a benchmarked workload depends on (edge-filter's backend, say), started once, in order,
 * before the measured rounds and kept running through them; not measured itself.
 */
export async function startDependencies(
  registry: RuntimeRegistry,
  world: World,
  of: Workload[],
  progress: Progress,
): Promise<Dependencies> {
  const running = new Map<string, Instance>()
  const urlOf = (name: string) => running.get(name)?.ports[0]?.url
  const stop = async () => {
    for (const [name, i] of [...running].reverse()) {
      await registry
        .get(i.kind)
        .stop(i, { timeoutMs: 10_000 })
        .catch((err: unknown) => logFailure('could not stop a bench dependency', err, { instance: i.id }))
      running.delete(name)
    }
  }
  try {
    for (const dep of dependencyWaves(world.workloads, of).flat()) {
      const { instance } = await startOne(dep, {
        runtime: registry.get(dep.kind),
        urlOf,
        progress: (p) => progress({ ...p, message: `${dep.name}: ${p.message ?? p.step}` }),
      })
      running.set(dep.name, instance)
    }
  } catch (err) {
    await stop()
    const e = err as Error
    throw new WorldbenchError(
      'DEPENDENCY_FAILED',
      `A dependency of the benchmarked workloads did not start: ${e.message}`,
      'Launch the world normally to see which and why.',
    )
  }
  return { urlOf, stop }
}
