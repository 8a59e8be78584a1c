import type { InstanceInfo, WorldbenchApi } from '../../../contract/api.ts'
import { findService } from '../connect.ts'
import { printJson } from '../output.ts'
import { formatBytes, formatPercent, table } from '../table.ts'

/**
 * `ps`: asks the service that owns the state dir; with none, looks at the engines itself, loading
 * no service, no engine SDK and no schema (it answers in a few Node starts' time).
 */
export async function psCommand(opts: { json?: boolean }): Promise<number> {
  const service = await findService()
  try {
    const instances = service
      ? await service.api.listInstances()
      : await (await import('../../runtimes/look.ts')).lookAtEngines()
    if (opts.json) {
      printJson(instances)
      return 0
    }
    process.stdout.write(`${formatPs(instances)}\n`)
    if (service) await warnOutsideDirs(service.api, instances)
    return 0
  } finally {
    await service?.close()
  }
}

/** Said loudly: a Wasm workload granted a host directory outside its world's folder. */
async function warnOutsideDirs(api: WorldbenchApi, instances: InstanceInfo[]): Promise<void> {
  for (const i of instances.filter((x) => x.kind === 'wasm')) {
    const details = await api.instanceDetails({ id: i.id }).catch(async (err: unknown) => {
      // One that stopped since it was listed has nothing to warn about; any other failure hides a warning.
      if ((err as { code?: string }).code !== 'NO_SUCH_INSTANCE')
        (await import('../../core/log.ts')).logFailure(
          'ps could not check the directories a Wasm workload may reach',
          err,
          {
            id: i.id,
          },
        )
      return undefined
    })
    for (const host of outsideDirs(details?.definition))
      process.stdout.write(`WARNING ${i.world}/${i.workload} can reach ${host}, outside its world's folder\n`)
  }
}

/** Host directories a workload definition grants with `outside: true`. */
export function outsideDirs(definition: Record<string, unknown> | undefined): string[] {
  const dirs = (definition?.wasm as { dirs?: { host: string; outside?: boolean }[] } | undefined)?.dirs ?? []
  return dirs.filter((d) => d.outside).map((d) => d.host)
}

export function formatPs(instances: InstanceInfo[]): string {
  if (instances.length === 0) return 'Nothing is running. Start a sample: worldbench up hello-trio'
  const rows = instances.map((i) => [
    i.world,
    i.workload,
    i.kind,
    i.state,
    i.ports[0]?.url ?? '-',
    formatPercent(i.last?.cpuPercent),
    formatBytes(i.last?.memoryBytes),
    i.id,
  ])
  return table(['WORLD', 'WORKLOAD', 'KIND', 'STATE', 'URL', 'CPU', 'MEMORY', 'ID'], rows)
}
