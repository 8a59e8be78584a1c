import type Docker from 'dockerode'
import type { PortBinding } from '../../../contract/api.ts'
import { ownerId } from '../../core/owner.ts'
import { urlFor } from '../../core/ports.ts'
import type { ReadySpec } from '../../core/readiness.ts'
import type { Instance } from '../../core/runtime.ts'
import {
  LABEL_INSTANCE,
  LABEL_OWNER,
  LABEL_READY,
  LABEL_WORKLOAD,
  LABEL_WORLD,
  ownLabel,
} from './create-options.ts'
import { stateFromListing } from './state.ts'

/** A container on the engine that Worldbench did not necessarily start (`docker ps -a`). */
export interface EngineContainer {
  id: string
  name: string
  image: string
  state: string
  status: string
  ports: PortBinding[]
  external: boolean
  /** Set on Worldbench's own containers. */
  instanceId?: string
}

export interface EngineImage {
  id: string
  tags: string[]
  bytes: number
  created: number
}

/** This installation's containers, as the engine reports them (found by their labels). */
export async function ownContainers(docker: Docker): Promise<Instance[]> {
  const rows = await docker.listContainers({ all: true, filters: { label: [LABEL_INSTANCE, ownLabel()] } })
  const out: Instance[] = []
  for (const r of rows) {
    const labels = r.Labels ?? {}
    const id = labels[LABEL_INSTANCE]!
    let startedAt = r.Created * 1000
    let limit = 0
    try {
      const info = await docker.getContainer(r.Id).inspect()
      startedAt = Date.parse(info.State.StartedAt) || startedAt
      limit = info.HostConfig.Memory ?? 0
    } catch {
      // Listed a moment ago; if it is gone now the listing is still the best we know.
    }
    const st = stateFromListing(r.State, r.Status)
    const instance: Instance = {
      id,
      kind: 'container',
      world: labels[LABEL_WORLD] ?? '',
      workload: labels[LABEL_WORKLOAD] ?? '',
      state: st.state,
      ports: portsOf(r.Ports),
      handle: { containerId: r.Id },
      startedAt,
    }
    if (st.reason) instance.reason = st.reason
    if (limit) instance.guestMemoryBytes = limit
    const ready = parseReady(labels[LABEL_READY])
    if (ready) instance.ready = ready
    out.push(instance)
  }
  return out
}

/** Every container on the engine, Worldbench's and everyone else's. */
export async function allContainers(docker: Docker): Promise<EngineContainer[]> {
  const rows = await docker.listContainers({ all: true })
  return rows.map((r) => {
    const instanceId = r.Labels?.[LABEL_INSTANCE]
    const c: EngineContainer = {
      id: r.Id,
      name: (r.Names[0] ?? r.Id).replace(/^\//, ''),
      image: r.Image,
      state: r.State,
      status: r.Status,
      ports: portsOf(r.Ports),
      // Another installation's containers are as foreign to this one as anybody else's.
      external: !instanceId || r.Labels?.[LABEL_OWNER] !== ownerId(),
    }
    if (instanceId) c.instanceId = instanceId
    return c
  })
}

/** Every image on the engine. */
export async function allImages(docker: Docker): Promise<EngineImage[]> {
  const rows = await docker.listImages()
  return rows.map((r) => ({
    id: r.Id,
    tags: (r.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
    bytes: r.Size,
    created: r.Created * 1000,
  }))
}

function portsOf(ports: Docker.Port[] | undefined): PortBinding[] {
  const seen = new Set<string>()
  const out: PortBinding[] = []
  for (const p of ports ?? []) {
    if (!p.PublicPort || p.Type !== 'tcp') continue
    const bind = p.IP || '0.0.0.0'
    // Docker lists a port once per address family; keep one of each host port.
    const key = `${p.PublicPort}/${p.PrivatePort}`
    if (seen.has(key)) continue
    seen.add(key)
    out.push({
      host: p.PublicPort,
      guest: p.PrivatePort,
      bind: bind === '::' ? '0.0.0.0' : bind,
      url: urlFor(bind, p.PublicPort),
    })
  }
  return out
}

function parseReady(label: string | undefined): ReadySpec | undefined {
  try {
    const r = JSON.parse(label ?? '') as ReadySpec
    return typeof r.timeoutSeconds === 'number' ? r : undefined
  } catch {
    return undefined
  }
}
