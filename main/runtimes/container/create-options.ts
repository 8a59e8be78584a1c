import type Docker from 'dockerode'
import type { PortBinding } from '../../../contract/api.ts'
import { ownerId } from '../../core/owner.ts'
import { readySpec } from '../../core/world/ready-spec.ts'
import type { Workload } from '../../core/world/schema.ts'
import { LABEL_INSTANCE, LABEL_OWNER, LABEL_READY, LABEL_WORKLOAD, LABEL_WORLD } from './labels.ts'

/** One network a container joins: the engine's name for it and the names the container answers to there. */
export interface Attachment {
  network: string
  aliases: string[]
}

/** The engine's create request for a workload: env, command + args, ports on their bind address, limits, labels, first network. */
export function createOptions(
  w: Workload,
  instanceId: string,
  image: string,
  ports: PortBinding[],
  network?: Attachment,
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
  const mounts = (c?.volumes ?? []).map((v) => mountOf(w, v))
  if (mounts.length) host.Mounts = mounts
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
  if (c?.entrypoint) opts.Entrypoint = c.entrypoint
  // The engine takes one network at create (API 1.41); the runtime connects the others before start.
  if (network) {
    host.NetworkMode = network.network
    opts.NetworkingConfig = { EndpointsConfig: { [network.network]: { Aliases: network.aliases } } }
  }
  if (w.ready?.command) opts.Healthcheck = healthcheck(w.ready.command, w.ready.intervalSeconds)
  return opts
}

type Volume = NonNullable<NonNullable<Workload['container']>['volumes']>[number]

/** A named volume belongs to its world, as Compose scopes it to its project: "<world>_<name>". */
export const volumeName = (world: string, name: string) => `${world}_${name}`

function mountOf(w: Workload, v: Volume): Docker.MountSettings {
  if (v.type === 'bind')
    return { Type: 'bind', Source: v.source ?? '', Target: v.target, ReadOnly: v.readOnly }
  return {
    Type: 'volume',
    // An empty source asks the engine for an anonymous volume.
    Source: v.source === undefined ? '' : volumeName(w.world, v.source),
    Target: v.target,
    ReadOnly: v.readOnly,
    // The API takes Labels alone; @types/dockerode marks NoCopy and DriverConfig required.
    VolumeOptions: {
      Labels: { [LABEL_WORLD]: w.world, [LABEL_OWNER]: ownerId() },
    } as unknown as Docker.MountSettings['VolumeOptions'],
  }
}

const NS = 1e9

/** The engine runs the check; its first pass marks the container healthy, so the interval bounds readiness. */
function healthcheck(command: string[], intervalSeconds = 1): Docker.HealthConfig {
  return {
    Test: ['CMD', ...command],
    Interval: Math.round(intervalSeconds * NS),
    Timeout: Math.round(Math.max(intervalSeconds, 5) * NS),
    Retries: 3,
  }
}
