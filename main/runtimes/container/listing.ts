import type Docker from 'dockerode'
import type { PortBinding } from '../../../contract/api.ts'
import { ownerId } from '../../core/owner.ts'
import type { Instance } from '../../core/runtime.ts'
import { LABEL_INSTANCE, LABEL_OWNER } from './labels.ts'
import { observedInstance, ownContainersFilter, portsOf } from './observed.ts'

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
  const rows = await docker.listContainers({ all: true, filters: ownContainersFilter() })
  const out: Instance[] = []
  for (const r of rows) {
    // Listed a moment ago; if it is gone now the listing is still the best we know.
    const info = await docker
      .getContainer(r.Id)
      .inspect()
      .catch(() => undefined)
    out.push(observedInstance(r, info))
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
