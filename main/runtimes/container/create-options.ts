import type Docker from 'dockerode'
import type { PortBinding } from '../../../preload/api.ts'
import { ownerId } from '../../core/owner.ts'
import { readySpec } from '../../core/readiness.ts'
import type { Workload } from '../../core/world/schema.ts'

export const LABEL_INSTANCE = 'io.worldbench.instance'
export const LABEL_WORLD = 'io.worldbench.world'
export const LABEL_WORKLOAD = 'io.worldbench.workload'
export const LABEL_OWNER = 'io.worldbench.owner'
export const LABEL_READY = 'io.worldbench.ready'

/** The label filter that selects this installation's containers. */
export const ownLabel = () => `${LABEL_OWNER}=${ownerId()}`

/** The engine's create request for a workload: env, command + args, ports on their bind address, limits, labels. */
export function createOptions(
  w: Workload,
  instanceId: string,
  image: string,
  ports: PortBinding[],
): Docker.ContainerCreateOptions {
  const c = w.container
  const cmd = [...(c?.command ?? []), ...w.args]
  const exposed: Record<string, object> = {}
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {}
  for (const p of ports) {
    const key = `${p.guest}/tcp`
    exposed[key] = {}
    bindings[key] = [...(bindings[key] ?? []), { HostIp: p.bind, HostPort: String(p.host) }]
  }
  const host: Docker.HostConfig = { PortBindings: bindings, Init: c?.init ?? true }
  if (w.limits.memoryMiB) {
    host.Memory = w.limits.memoryMiB * 1024 * 1024
    host.MemorySwap = host.Memory
  }
  if (w.limits.cpus) host.NanoCpus = Math.round(w.limits.cpus * 1e9)
  const opts: Docker.ContainerCreateOptions = {
    name: instanceId,
    Image: image,
    Env: Object.entries(w.env).map(([k, v]) => `${k}=${v}`),
    ExposedPorts: exposed,
    Labels: {
      [LABEL_INSTANCE]: instanceId,
      [LABEL_WORLD]: w.world,
      [LABEL_WORKLOAD]: w.name,
      [LABEL_OWNER]: ownerId(),
      [LABEL_READY]: JSON.stringify(readySpec(w)),
    },
    HostConfig: host,
  }
  if (cmd.length) opts.Cmd = cmd
  return opts
}
