import { WorldbenchError } from '../errors.ts'
import { runPrepareScript } from '../prepare-script.ts'
import { readySpec, waitReady } from '../readiness.ts'
import type { Instance } from '../runtime.ts'
import type { RuntimeRegistry } from '../runtime-registry.ts'
import { withResolvedRefs } from '../world/refs.ts'
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
): Promise<Dependencies> {
  const byName = new Map(world.workloads.map((w) => [w.name, w]))
  const running = new Map<string, Instance>()
  const order: Workload[] = []
  const visit = (name: string) => {
    const w = byName.get(name)
    if (!w || order.includes(w)) return
    for (const d of w.dependsOn) visit(d)
    order.push(w)
  }
  for (const w of of) for (const d of w.dependsOn) visit(d)
  const urlOf = (name: string) => running.get(name)?.ports[0]?.url
  const stop = async () => {
    for (const [name, i] of [...running].reverse()) {
      await registry
        .get(i.kind)
        .stop(i, { timeoutMs: 10_000 })
        .catch(() => undefined)
      running.delete(name)
    }
  }
  try {
    for (const dep of order) {
      const runtime = registry.get(dep.kind)
      if (dep.prepare) await runPrepareScript(dep, () => {})
      const w = withResolvedRefs(dep, urlOf)
      const instance = await runtime.start(w, await runtime.prepare(w, () => {}))
      running.set(dep.name, instance)
      await waitReady({ name: `${dep.name} (dependency)`, ports: instance.ports, ready: readySpec(dep) })
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
