import type Docker from 'dockerode'
import type { CostPart } from '../../../contract/api.ts'
import { WorldbenchError } from '../../core/errors.ts'
import { request } from '../../core/http-request.ts'
import type { Instance } from '../../core/runtime.ts'
import { type CgroupReading, readCgroup } from './cgroup.ts'
import { cgroupFromStats, cgroupOfPid, containerParts, onThisHost } from './cost-parts.ts'
import type { Endpoint } from './discovery.ts'
import { findHelpers, type HelperProcess } from './host-processes.ts'
import { observedInstance, ownContainersFilter } from './observed.ts'
import type { StatsJson } from './stats-math.ts'

/**
 * This installation's containers and what they cost, read with GET requests over the engine's
 * API and node:http alone: the look `ps` takes when no service runs, where loading dockerode (and
 * the SSH client it brings) would take longer than the whole answer. The rows are the runtime's.
 */
export class ContainerLook {
  readonly kind = 'container' as const
  private readonly endpoint: Endpoint
  /** Container id → the pid of its first process, from its inspect. */
  private readonly pids = new Map<string, number>()
  /** Container id → its shim and port proxies, found once (finding them reads every process). */
  private readonly helpers = new Map<string, HelperProcess[]>()

  constructor(endpoint: Endpoint) {
    this.endpoint = endpoint
  }

  async observe(): Promise<Instance[]> {
    const filters = encodeURIComponent(JSON.stringify(ownContainersFilter()))
    const rows = await this.get<Docker.ContainerInfo[]>(`/containers/json?all=true&filters=${filters}`)
    return Promise.all(
      rows.map(async (r) => {
        // Listed a moment ago; if it is gone now the listing is still the best we know.
        const info = await this.get<Docker.ContainerInspectInfo>(`/containers/${r.Id}/json`).catch(
          () => undefined,
        )
        if (info?.State.Pid) this.pids.set(r.Id, info.State.Pid)
        return observedInstance(r, info)
      }),
    )
  }

  async cost(i: Instance): Promise<CostPart[]> {
    const cid = i.handle.containerId
    if (!cid) return []
    const pid = this.pids.get(cid)
    const here = onThisHost(this.endpoint)
    let cgroup: CgroupReading | undefined
    try {
      const paths = here && pid ? await cgroupOfPid(pid) : undefined
      if (paths) cgroup = readCgroup(paths)
    } catch {
      // It stopped since it was listed, or its files are not readable here: the engine tells.
    }
    cgroup ??= cgroupFromStats(
      await this.get<StatsJson>(`/containers/${cid}/stats?stream=false&one-shot=true`),
    )
    let helpers = this.helpers.get(cid)
    if (!helpers) {
      helpers = here ? findHelpers(cid, i.ports) : []
      this.helpers.set(cid, helpers)
    }
    return containerParts(cgroup, helpers)
  }

  private get<T>(path: string): Promise<T> {
    const { socketPath, host, port } = this.endpoint
    const where = socketPath ? { socketPath } : { host: host ?? '127.0.0.1', port: port ?? 2375 }
    if (this.endpoint.unsupported) return Promise.reject(new Error(this.endpoint.unsupported))
    return new Promise((resolve, reject) => {
      const req = request({ ...where, path, method: 'GET' }, (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (body += c))
        res.on('end', () => {
          if (res.statusCode === 200) resolve(JSON.parse(body) as T)
          else
            reject(
              new WorldbenchError(
                'ENGINE_ERROR',
                `The container engine at ${this.endpoint.address} answered ${res.statusCode} to GET ${path}: ${body.trim()}`,
                'See "worldbench doctor".',
              ),
            )
        })
      })
      req.on('error', reject)
      req.end()
    })
  }
}
