import type { InstanceInfo } from '../contract/api.ts'
import type { RuntimeRegistry } from './core/runtime-registry.ts'

/** What the engines run that Worldbench did not start, shown in a group of its own. */
export async function externalInstances(registry: RuntimeRegistry): Promise<InstanceInfo[]> {
  const out: InstanceInfo[] = []
  for (const runtime of registry.all()) {
    if (!runtime.listAll) continue
    const all = await runtime.listAll().catch(() => [])
    for (const c of all.filter((x) => x.external)) {
      out.push({
        id: `external:${c.id.slice(0, 12)}`,
        kind: runtime.kind,
        world: 'external',
        workload: c.name,
        state:
          c.state === 'running'
            ? 'running'
            : c.state === 'exited' || c.state === 'created'
              ? 'stopped'
              : 'unknown',
        ports: c.ports,
        startedAt: 0,
        external: true,
        image: c.image,
      })
    }
  }
  return out
}
