import type Docker from 'dockerode'
import type { CostPart, Sample } from '../../../contract/api.ts'
import { WorldbenchError } from '../../core/errors.ts'
import { instanceGone } from '../../core/instance-gone.ts'
import { type CostReading, costSample, processPart } from '../../core/metrics/cost.ts'
import type { Instance } from '../../core/runtime.ts'
import { type CgroupPaths, type CgroupReading, readCgroup } from './cgroup.ts'
import { cgroupFromStats, cgroupOfPid, containerParts } from './cost-parts.ts'
import type { Endpoint } from './discovery.ts'
import { onEngine, statusOf } from './engine-errors.ts'
import { findEngineDaemons, findHelpers, type HelperProcess, stillHelper } from './host-processes.ts'
import { openPodmanStats } from './podman-stats.ts'
import { engineFlavor } from './probe.ts'
import { type StatsJson, toSample } from './stats-math.ts'
import { StatsStream } from './stats-stream.ts'

const STOPPED_HINT =
  'It was stopped or removed outside Worldbench (or exited); see its logs and "worldbench ps".'

/**
 * What a container costs: the engine's stats stream per instance, the container's cgroup files
 * where the host has them, and its helper processes (shim, port proxies).
 */
export class ContainerCosts {
  private readonly docker: Docker
  private readonly endpoint: Endpoint
  private readonly stats = new Map<string, StatsStream>()
  private readonly lastCost = new Map<string, CostReading>()
  /** Per instance: where its cgroup files are (if readable here) and its helper processes. */
  private readonly local = new Map<string, { cgroup: CgroupPaths | undefined; helpers: HelperProcess[] }>()
  private flavor: Promise<'docker' | 'podman'> | undefined

  constructor(docker: Docker, endpoint: Endpoint) {
    this.docker = docker
    this.endpoint = endpoint
  }

  async sample(i: Instance): Promise<Sample> {
    const reading = await this.statsReading(i)
    const now: CostReading = { at: performance.now(), parts: await this.cost(i, reading) }
    const last = this.lastCost.get(i.id)
    const engine = toSample(reading, i.guestMemoryBytes)
    // The first sample has no earlier reading of ours: the engine's own CPU figure stands in.
    const sample: Sample = {
      ...engine,
      ...costSample(last, now),
      ...(!last && { cpuPercent: engine.cpuPercent }),
    }
    this.lastCost.set(i.id, now)
    return sample
  }

  /**
   * The container's cgroup (read from the host's cgroup files, so a reading is current, not up to
   * a second old; the engine's stats where they cannot be read), its shim (conmon on Podman) and
   * one docker-proxy per published port.
   */
  async cost(i: Instance, reading?: StatsJson): Promise<CostPart[]> {
    const cid = i.handle.containerId
    if (!cid) return []
    let local = this.local.get(i.id)
    if (!local) {
      local = { cgroup: await this.cgroupOf(cid), helpers: [] }
      this.local.set(i.id, local)
    }
    let cgroup: CgroupReading | undefined
    try {
      if (local.cgroup) cgroup = readCgroup(local.cgroup)
    } catch {
      local.cgroup = undefined
    }
    cgroup ??= cgroupFromStats(reading ?? (await this.statsReading(i)))
    if (this.isLocal()) {
      if (local.helpers.length === 0 || !local.helpers.every((h) => stillHelper(h, cid, i.ports)))
        local.helpers = findHelpers(cid, i.ports)
    }
    return containerParts(cgroup, local.helpers)
  }

  /** dockerd and containerd (or Podman's service): shared by every container, counted once. */
  async engineOverhead(): Promise<CostPart[]> {
    if (!this.isLocal()) return []
    const parts = await Promise.all(findEngineDaemons().map((d) => processPart(d.pid, d.name)))
    return parts.filter((p): p is CostPart => p !== undefined)
  }

  /** It stopped: its stream closes and its readings are forgotten. */
  forget(instanceId: string): void {
    this.stats.get(instanceId)?.close()
    this.stats.delete(instanceId)
    this.lastCost.delete(instanceId)
    this.local.delete(instanceId)
  }

  close(): void {
    for (const s of this.stats.values()) s.close()
    this.stats.clear()
  }

  /** The engine's processes and the container's cgroup files are on this host (a local socket on Linux). */
  private isLocal(): boolean {
    return Boolean(this.endpoint.socketPath) && process.platform === 'linux'
  }

  /** The latest reading of the engine's stats stream (opened on first use, reopened if it ended). */
  private async statsReading(i: Instance): Promise<StatsJson> {
    const cid = i.handle.containerId
    if (!cid)
      throw new WorldbenchError('NO_CONTAINER', `${i.id} has no container id.`, 'Stop it and start it again.')
    let s = this.stats.get(i.id)
    if (!s || s.ended) {
      s?.close()
      s = await onEngine(this.endpoint, async () =>
        (await this.engineFlavor()) === 'podman'
          ? openPodmanStats(this.docker, cid)
          : StatsStream.open(this.docker, cid),
      ).catch(async (err: unknown) => {
        throw (await this.goneError(i, cid)) ?? err
      })
      this.stats.set(i.id, s)
    }
    const reading = await s.reading()
    // The engine ends a container's stats stream when the container stops or is removed.
    const gone = s.ended ? await this.goneError(i, cid) : undefined
    if (gone) throw gone
    if (!reading)
      throw new WorldbenchError(
        'NO_STATS',
        `The engine sent no stats for ${i.id}.`,
        'Is the container still running? See "worldbench ps".',
      )
    return reading
  }

  /** INSTANCE_GONE if the container was removed or no longer runs; undefined if it runs (or the engine cannot say). */
  private async goneError(i: Instance, cid: string): Promise<WorldbenchError | undefined> {
    try {
      const info = await this.docker.getContainer(cid).inspect()
      if (info.State.Running) return undefined
      return instanceGone(i, `its container ${cid.slice(0, 12)} is ${info.State.Status}`, STOPPED_HINT)
    } catch (err) {
      if (statusOf(err) !== 404) return undefined
      return instanceGone(i, `its container ${cid.slice(0, 12)} was removed`, STOPPED_HINT)
    }
  }

  /** Where the host keeps the container's cgroup accounting; undefined for a remote engine. */
  private async cgroupOf(cid: string): Promise<CgroupPaths | undefined> {
    if (!this.isLocal()) return undefined
    try {
      const pid = (await this.docker.getContainer(cid).inspect()).State.Pid
      return pid ? await cgroupOfPid(pid) : undefined
    } catch {
      return undefined
    }
  }

  /** Asked once; asked again after a failure (the engine behind the socket may change). */
  private engineFlavor(): Promise<'docker' | 'podman'> {
    this.flavor ??= engineFlavor(this.docker).catch((err: unknown) => {
      this.flavor = undefined
      throw err
    })
    return this.flavor
  }
}
