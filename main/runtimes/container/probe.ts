import type Docker from 'dockerode'
import type { EngineStatus } from '../../../contract/api.ts'
import { WorldbenchError } from '../../core/errors.ts'
import type { Endpoint } from './discovery.ts'
import { engineUnreachable, INSTALL_HINT } from './engine-errors.ts'

interface VersionReply {
  Version?: string
  ApiVersion?: string
  Os?: string
  Arch?: string
  KernelVersion?: string
  Platform?: { Name?: string }
  Components?: { Name?: string; Version?: string }[]
}

/** Asks the engine who it is; Podman answers the same /version call with a "Podman Engine" component. */
export async function probeEngine(
  docker: Docker,
  endpoint: Endpoint,
  timeoutMs = 3000,
): Promise<EngineStatus> {
  try {
    if (endpoint.unsupported) throw engineUnreachable(endpoint, new Error(endpoint.unsupported))
    const v = (await withTimeout(docker.version() as Promise<VersionReply>, timeoutMs)) as VersionReply
    return engineStatus(v, endpoint)
  } catch (err) {
    const e = err instanceof WorldbenchError ? err : engineUnreachable(endpoint, err)
    return {
      kind: 'container',
      available: false,
      details: { socket: endpoint.address, source: endpoint.source },
      warnings: [],
      error: e.toShape(),
      install: INSTALL_HINT,
    }
  }
}

const podmanComponent = (v: VersionReply) => v.Components?.find((c) => /podman/i.test(c.Name ?? ''))

/** Docker or Podman: they share the API but differ in a few endpoints (see podman-stats.ts). */
export async function engineFlavor(docker: Docker): Promise<'docker' | 'podman'> {
  return podmanComponent((await docker.version()) as VersionReply) ? 'podman' : 'docker'
}

export function engineStatus(v: VersionReply, endpoint: Endpoint): EngineStatus {
  const podman = podmanComponent(v)
  const version = podman?.Version ?? v.Version ?? 'unknown'
  const engine = podman ? `Podman ${version}` : `Docker Engine ${version}`
  const details: Record<string, string> = {
    socket: endpoint.address,
    source: endpoint.source,
    apiVersion: v.ApiVersion ?? 'unknown',
    flavor: podman ? 'podman' : 'docker',
  }
  if (v.Os) details.os = v.Os
  if (v.Arch) details.arch = v.Arch
  if (v.KernelVersion) details.kernel = v.KernelVersion
  if (v.Platform?.Name) details.platform = v.Platform.Name
  const warnings: string[] = []
  if (podman)
    warnings.push(
      'Podman reports container memory including page cache; Worldbench subtracts inactive file cache as it does for Docker.',
    )
  return { kind: 'container', available: true, engine, version, details, warnings }
}

export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`no answer within ${ms} ms`), { code: 'ENGINE_TIMEOUT' })),
      ms,
    )
  })
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer))
}
