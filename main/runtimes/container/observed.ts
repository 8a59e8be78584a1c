import type Docker from 'dockerode'
import type { PortBinding } from '../../../contract/api.ts'
import { urlFor } from '../../core/ports.ts'
import type { ReadySpec } from '../../core/readiness.ts'
import type { Instance } from '../../core/runtime.ts'
import { LABEL_INSTANCE, LABEL_READY, LABEL_WORKLOAD, LABEL_WORLD, ownLabel } from './labels.ts'
import { stateFromListing } from './state.ts'

/** The engine's list filter for this installation's containers (`docker ps --filter label=…`). */
export function ownContainersFilter(): { label: string[] } {
  return { label: [LABEL_INSTANCE, ownLabel()] }
}

/**
 * One of this installation's containers as an instance, from its row in the engine's listing and
 * its inspect (undefined when it could not be read: the listing is then the best we know). The
 * one mapping for the runtime (dockerode) and for `ps` with no service (plain HTTP).
 */
export function observedInstance(
  r: Docker.ContainerInfo,
  info: { State: { StartedAt: string }; HostConfig: { Memory?: number } } | undefined,
): Instance {
  const labels = r.Labels ?? {}
  const st = stateFromListing(r.State, r.Status)
  const instance: Instance = {
    id: labels[LABEL_INSTANCE]!,
    kind: 'container',
    world: labels[LABEL_WORLD] ?? '',
    workload: labels[LABEL_WORKLOAD] ?? '',
    state: st.state,
    ports: portsOf(r.Ports),
    handle: { containerId: r.Id },
    startedAt: (info && Date.parse(info.State.StartedAt)) || r.Created * 1000,
  }
  if (st.reason) instance.reason = st.reason
  const limit = info?.HostConfig.Memory ?? 0
  if (limit) instance.guestMemoryBytes = limit
  const ready = parseReady(labels[LABEL_READY])
  if (ready) instance.ready = ready
  return instance
}

/** Published TCP ports of a listing row, one per host port. */
export function portsOf(ports: Docker.Port[] | undefined): PortBinding[] {
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
