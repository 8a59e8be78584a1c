import { existsSync, mkdirSync } from 'node:fs'
import Docker from 'dockerode'
import type { CostPart, EngineStatus, LogLine, PortBinding, Sample } from '../../../contract/api.ts'
import { WorldbenchError } from '../../core/errors.ts'
import { newInstanceId } from '../../core/ids.ts'
import { type CostReading, costSample, processPart } from '../../core/metrics/cost.ts'
import { ownerId } from '../../core/owner.ts'
import { bindPorts, portInUse } from '../../core/ports.ts'
import type {
  Artifact,
  DirectRun,
  Instance,
  LogOptions,
  Progress,
  Runtime,
  RuntimeEvent,
  StartOptions,
  TerminalStream,
} from '../../core/runtime.ts'
import { epochNow, isoEpochMs, type StartMark } from '../../core/start-timeline.ts'
import { pauseForTest } from '../../core/test-pause.ts'
import type { Workload } from '../../core/world/schema.ts'
import { type CgroupPaths, type CgroupReading, readCgroup } from './cgroup.ts'
import { cgroupFromStats, cgroupOfPid, containerParts, onThisHost } from './cost-parts.ts'
import { createOptions, LABEL_INSTANCE, LABEL_OWNER } from './create-options.ts'
import { type Endpoint, endpointFor } from './discovery.ts'
import { engineMessage, engineUnreachable, isConnectionError, statusOf } from './engine-errors.ts'
import { type EngineEvent, EventLoop } from './events.ts'
import { findEngineDaemons, findHelpers, type HelperProcess, stillHelper } from './host-processes.ts'
import { prepareImage } from './image.ts'
import { listImages, pruneImages, removeImage } from './images.ts'
import { listensInside } from './listening.ts'
import { containerLogs } from './logs.ts'
import { WorldNetworks } from './network.ts'
import { observedInstance, ownContainersFilter, portsOf } from './observed.ts'
import { openPodmanStats } from './podman-stats.ts'
import { engineFlavor, probeEngine } from './probe.ts'
import { stateFromInspect } from './state.ts'
import { type StatsJson, toSample } from './stats-math.ts'
import { StatsStream } from './stats-stream.ts'
import { execTerminal } from './terminal.ts'

export interface ContainerRuntimeOptions {
  /** A socket (or named pipe) that overrides discovery: the "container.socket" setting, tests. */
  socketPath?: string
  /** Backoff of the event stream's reconnects. */
  reconnect?: { minMs?: number; maxMs?: number }
}

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

/** The `container` kind: Docker Engine or Podman through the Docker Engine API (dockerode). */
export class ContainerRuntime implements Runtime {
  readonly kind = 'container' as const
  private readonly endpoint: Endpoint
  private readonly docker: Docker
  private readonly reconnect: { minMs?: number; maxMs?: number }
  /** Instances this object started or adopted: what watch() reports on and resyncs. */
  private readonly tracked = new Map<string, string>()
  private readonly killed = new Set<string>()
  /** Instances Worldbench itself is stopping: their kill/die/stop events are not news. */
  private readonly ourStops = new Set<string>()
  private readonly stats = new Map<string, StatsStream>()
  private readonly exits = new Map<string, Promise<WorldbenchError>>()
  private readonly lastCost = new Map<string, CostReading>()
  /** Per instance: where its cgroup files are (if readable here) and its helper processes. */
  private readonly local = new Map<string, { cgroup: CgroupPaths | undefined; helpers: HelperProcess[] }>()
  /** Container id → the pid of its first process, while it runs (see listening()). */
  private readonly firstPids = new Map<string, number>()
  private readonly listeners = new Set<(e: RuntimeEvent) => void>()
  private readonly networks: WorldNetworks
  private events: EventLoop | undefined
  private flavor: Promise<'docker' | 'podman'> | undefined

  constructor(opts: ContainerRuntimeOptions = {}) {
    this.endpoint = endpointFor(opts.socketPath)
    this.docker = this.endpoint.host
      ? new Docker({ host: this.endpoint.host, port: this.endpoint.port ?? 2375, protocol: 'http' })
      : new Docker({ socketPath: this.endpoint.socketPath ?? '/var/run/docker.sock' })
    this.networks = new WorldNetworks(this.docker)
    this.reconnect = opts.reconnect ?? {}
  }

  /** The engine address in use, e.g. "unix:///var/run/docker.sock". */
  get address(): string {
    return this.endpoint.address
  }

  probe(): Promise<EngineStatus> {
    return probeEngine(this.docker, this.endpoint)
  }

  prepare(w: Workload, progress: Progress): Promise<Artifact> {
    return this.engine(() => prepareImage(this.docker, w, progress))
  }

  async start(w: Workload, a: Artifact, opts: StartOptions = {}): Promise<Instance> {
    const id = opts.id ?? newInstanceId(w)
    const ports = await bindPorts(w.ports, `${w.world}/${w.name}`)
    // Like Compose, a bind mount's missing host folder is created rather than failing the start.
    for (const v of w.container?.volumes ?? [])
      if (v.type === 'bind' && v.source && !existsSync(v.source)) mkdirSync(v.source, { recursive: true })
    const image = w.container?.image ?? a.ref
    const network = await this.engine(async () => this.networks.ensure(w))
    const created = await this.engine(() =>
      this.docker.createContainer(createOptions(w, id, image, ports, network)).catch((err: unknown) => {
        throw initMissing(w, err) ?? err
      }),
    )
    const marks: StartMark[] = [{ phase: 'create', at: epochNow() }]
    const removeIt = async () => {
      await created.remove({ force: true }).catch(() => undefined)
      if (network) await this.networks.removeUnused([network])
    }
    await pauseForTest('container:created')
    try {
      await created.start()
    } catch (err) {
      await removeIt()
      throw this.startError(w, id, ports, err)
    }
    marks.push({ phase: 'process running', at: epochNow() })
    // The engine's own time the process started splits the start call; read after it, not on its path.
    void created
      .inspect()
      .then((info) => {
        const at = isoEpochMs(info.State.StartedAt)
        if (Number.isFinite(at)) marks.push({ phase: 'start', at })
      })
      .catch(() => undefined)
    this.watchExit(id, created, image)
    this.tracked.set(id, created.id)
    const instance: Instance = {
      id,
      kind: 'container',
      world: w.world,
      workload: w.name,
      state: 'starting',
      ports,
      handle: { containerId: created.id },
      startedAt: Date.now(),
      marks,
    }
    if (w.limits.memoryMiB) instance.guestMemoryBytes = w.limits.memoryMiB * 1024 * 1024
    return instance
  }

  /** The bench's baseline: the same container config created and started through the engine API alone. */
  async startDirect(w: Workload, a: Artifact, ports: PortBinding[]): Promise<DirectRun> {
    const image = w.container?.image ?? a.ref
    const c = await this.engine(() =>
      this.docker.createContainer(
        createOptions(w, newInstanceId({ world: 'bench-direct', name: w.name }), image, ports),
      ),
    )
    const remove = async () => {
      await c.remove({ force: true }).catch(() => undefined)
    }
    await c.start().catch(async (err: unknown) => {
      await remove()
      throw err
    })
    return { stop: remove }
  }

  private startError(w: Workload, id: string, ports: PortBinding[], err: unknown): WorldbenchError {
    if (isConnectionError(err)) return engineUnreachable(this.endpoint, err)
    const msg = engineMessage(err)
    if (/port is already allocated|address already in use/i.test(msg)) {
      const port = ports.find((p) => msg.includes(`:${p.host}`)) ?? ports[0]
      if (port) {
        const e = portInUse(port.host, port.bind, `${w.world}/${w.name}`)
        return new WorldbenchError(e.code, e.message, e.hint, { ...e.details, engine: msg })
      }
    }
    return new WorldbenchError(
      'CONTAINER_START_FAILED',
      `Container ${id} (${w.container?.image}) could not start: ${msg}`,
      "Check the image's entrypoint, command and args, and the engine log.",
      { engine: msg },
    )
  }

  /**
   * Follows the container's exit from the moment it starts (the engine's wait, which answers when
   * it stops), so an early death is reported when it happens and a healthy start waits for nothing.
   */
  private watchExit(id: string, c: Docker.Container, image: string): void {
    const exit = c
      .wait({ condition: 'not-running' })
      .then(async (r: { StatusCode?: number }) => {
        if (this.ourStops.has(id)) return new Promise<never>(() => {})
        const code = r.StatusCode ?? -1
        const last = await this.lastLines(c.id, 20)
        return new WorldbenchError(
          'CONTAINER_EXITED',
          `Container ${id} (${image}) exited at once with code ${code}.`,
          last.length
            ? `Its last log lines:\n${last.join('\n')}`
            : "It printed nothing; check the image's entrypoint, command and args.",
          { exitCode: code, lastLogLines: last },
        )
      })
      // The engine went away or the container was removed: stop() or the event stream tell.
      .catch(() => new Promise<never>(() => {}))
    this.exits.set(id, exit)
  }

  exited(i: Instance): Promise<WorldbenchError> {
    return this.exits.get(i.id) ?? new Promise<never>(() => {})
  }

  private async lastLines(containerId: string, n: number): Promise<string[]> {
    const out: string[] = []
    try {
      for await (const l of containerLogs(this.docker, containerId, { tail: n })) out.push(l.line)
    } catch {
      // No logs is no reason to hide the exit code.
    }
    return out
  }

  async healthy(i: Instance): Promise<boolean> {
    const cid = i.handle.containerId
    if (!cid) return false
    const info = await this.engine(() => this.docker.getContainer(cid).inspect())
    return info.State.Health?.Status === 'healthy'
  }

  /**
   * Whether the workload itself listens on its first port (see listening.ts); undefined for a
   * remote engine, where only the published port can be tried.
   */
  async listening(i: Instance): Promise<boolean | undefined> {
    const cid = i.handle.containerId
    const guest = i.ports[0]?.guest
    if (!cid || guest === undefined || !this.endpoint.socketPath || process.platform !== 'linux')
      return undefined
    // Readiness asks every few ms: the engine is asked for the container's first pid once.
    let pid = this.firstPids.get(cid)
    if (!pid) {
      pid = (await this.engine(() => this.docker.getContainer(cid).inspect())).State.Pid
      if (pid) this.firstPids.set(cid, pid)
    }
    return pid ? listensInside(pid, guest) : undefined
  }

  async stop(i: Instance, opts: { timeoutMs?: number } = {}): Promise<void> {
    const cid = i.handle.containerId
    this.stats.get(i.id)?.close()
    this.stats.delete(i.id)
    this.lastCost.delete(i.id)
    this.local.delete(i.id)
    if (cid) this.firstPids.delete(cid)
    this.tracked.delete(i.id)
    this.exits.delete(i.id)
    if (!cid) return
    const c = this.docker.getContainer(cid)
    const grace = Math.max(0, Math.ceil((opts.timeoutMs ?? 10_000) / 1000))
    this.ourStops.add(i.id)
    // Events of our own stop arrive a little after it returns.
    setTimeout(() => this.ourStops.delete(i.id), 5000).unref()
    await this.engine(async () => {
      try {
        // The engine sends SIGTERM, waits the grace period, then SIGKILLs.
        await c.stop({ t: grace })
      } catch (err) {
        const s = statusOf(err)
        if (s !== 304 && s !== 404) throw err
      }
      try {
        await c.remove({ force: true })
      } catch (err) {
        if (statusOf(err) !== 404 && !/already in progress/.test(engineMessage(err))) throw err
      }
      await this.networks.removeUnused(await this.networks.ofWorld(i.world))
    })
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

  /** The latest reading of the engine's stats stream (opened on first use, reopened if it ended). */
  private async statsReading(i: Instance): Promise<StatsJson> {
    let s = this.stats.get(i.id)
    if (!s || s.ended) {
      s?.close()
      const cid = i.handle.containerId
      if (!cid)
        throw new WorldbenchError(
          'NO_CONTAINER',
          `${i.id} has no container id.`,
          'Stop it and start it again.',
        )
      s = await this.engine(async () =>
        (await this.engineFlavor()) === 'podman'
          ? openPodmanStats(this.docker, cid)
          : StatsStream.open(this.docker, cid),
      )
      this.stats.set(i.id, s)
    }
    const reading = await s.reading()
    if (!reading)
      throw new WorldbenchError(
        'NO_STATS',
        `The engine sent no stats for ${i.id}.`,
        'Is the container still running? See "worldbench ps".',
      )
    return reading
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
    if (onThisHost(this.endpoint)) {
      if (local.helpers.length === 0 || !local.helpers.every((h) => stillHelper(h, cid, i.ports)))
        local.helpers = findHelpers(cid, i.ports)
    }
    return containerParts(cgroup, local.helpers)
  }

  /** Where the host keeps the container's cgroup accounting; undefined for a remote engine. */
  private async cgroupOf(cid: string): Promise<CgroupPaths | undefined> {
    if (!onThisHost(this.endpoint)) return undefined
    try {
      const pid = (await this.docker.getContainer(cid).inspect()).State.Pid
      return pid ? await cgroupOfPid(pid) : undefined
    } catch {
      return undefined
    }
  }

  /** dockerd and containerd (or Podman's service): shared by every container, counted once. */
  async engineOverhead(): Promise<CostPart[]> {
    if (!this.endpoint.socketPath || process.platform !== 'linux') return []
    const parts = await Promise.all(findEngineDaemons().map((d) => processPart(d.pid, d.name)))
    return parts.filter((p): p is CostPart => p !== undefined)
  }

  /** Asked once; asked again after a failure (the engine behind the socket may change). */
  private engineFlavor(): Promise<'docker' | 'podman'> {
    this.flavor ??= engineFlavor(this.docker).catch((err: unknown) => {
      this.flavor = undefined
      throw err
    })
    return this.flavor
  }

  logs(i: Instance, opts?: LogOptions): AsyncIterable<LogLine> {
    const cid = i.handle.containerId
    if (!cid) return (async function* () {})()
    return containerLogs(this.docker, cid, opts)
  }

  readonly images = {
    list: () => this.engine(() => listImages(this.docker)),
    remove: (id: string) => this.engine(() => removeImage(this.docker, id)),
    prune: () => this.engine(() => pruneImages(this.docker)),
  }

  terminal(i: Instance, size: { cols: number; rows: number }): Promise<TerminalStream> {
    const cid = i.handle.containerId
    if (!cid)
      throw new WorldbenchError(
        'NO_CONTAINER',
        `${i.id} has no container.`,
        'Start it again, then open a terminal.',
      )
    return this.engine(() => execTerminal(this.docker.getContainer(cid), size))
  }

  async adopt(): Promise<Instance[]> {
    const found = await this.observe()
    for (const i of found) this.tracked.set(i.id, i.handle.containerId!)
    return found
  }

  /** This installation's containers, as the engine reports them. */
  async observe(): Promise<Instance[]> {
    const rows = await this.engine(() =>
      this.docker.listContainers({ all: true, filters: ownContainersFilter() }),
    )
    const out: Instance[] = []
    for (const r of rows) {
      // Listed a moment ago; if it is gone now the listing is still the best we know.
      const info = await this.docker
        .getContainer(r.Id)
        .inspect()
        .catch(() => undefined)
      out.push(observedInstance(r, info))
    }
    return out
  }

  /** Every container on the engine, Worldbench's and everyone else's. */
  async listAll(): Promise<EngineContainer[]> {
    const rows = await this.engine(() => this.docker.listContainers({ all: true }))
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
  async listImages(): Promise<EngineImage[]> {
    const rows = await this.engine(() => this.docker.listImages())
    return rows.map((r) => ({
      id: r.Id,
      tags: (r.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
      bytes: r.Size,
      created: r.Created * 1000,
    }))
  }

  watch(listener: (e: RuntimeEvent) => void): () => void {
    this.listeners.add(listener)
    if (!this.events) {
      this.events = new EventLoop(
        this.docker,
        {
          onEvent: (e) => this.onEngineEvent(e),
          onDown: () => this.onEngineDown(),
          onUp: () => this.resync(),
        },
        this.reconnect,
      )
      this.events.start()
    }
    return () => {
      this.listeners.delete(listener)
      if (this.listeners.size === 0) {
        this.events?.stop()
        this.events = undefined
      }
    }
  }

  private emit(e: RuntimeEvent): void {
    for (const l of this.listeners) l(e)
  }

  private onEngineEvent(e: EngineEvent): void {
    const attrs = e.Actor?.Attributes ?? {}
    const instanceId = attrs[LABEL_INSTANCE]
    if (!instanceId || this.ourStops.has(instanceId)) return
    switch (e.Action) {
      case 'start':
      case 'restart':
      case 'unpause':
        this.killed.delete(instanceId)
        this.emit({ instanceId, state: 'running' })
        break
      case 'kill':
        // `docker stop` sends TERM first: a stop on purpose. A bare KILL (`docker kill`, the OOM
        // killer's kin) is a failure, which `restart: on-failure` answers.
        if (!/^(9|KILL|SIGKILL)$/.test(attrs.signal ?? '')) this.killed.add(instanceId)
        break
      case 'oom':
        this.emit({ instanceId, state: 'failed', reason: 'killed for running out of memory' })
        break
      case 'die': {
        const code = Number(attrs.exitCode ?? 0)
        const stoppedOnPurpose = this.killed.delete(instanceId)
        const state = code === 0 || stoppedOnPurpose ? 'stopped' : 'failed'
        this.emit({
          instanceId,
          state,
          reason: `${stoppedOnPurpose ? 'stopped outside Worldbench; ' : ''}exited with code ${code}`,
          exitCode: code,
        })
        break
      }
      case 'stop':
        this.emit({ instanceId, state: 'stopped', reason: 'stopped outside Worldbench' })
        break
      case 'destroy':
        this.tracked.delete(instanceId)
        this.emit({ instanceId, state: 'stopped', reason: 'container was removed' })
        break
    }
  }

  private onEngineDown(): void {
    for (const instanceId of this.tracked.keys())
      this.emit({
        instanceId,
        state: 'unknown',
        reason: `the container engine at ${this.endpoint.address} is not answering`,
      })
  }

  /** After an outage: ask the engine about every instance we know, since events were lost. */
  private async resync(): Promise<void> {
    for (const [instanceId, cid] of [...this.tracked]) {
      try {
        const info = await this.docker.getContainer(cid).inspect()
        const st = stateFromInspect(info.State)
        this.emit({ instanceId, state: st.state, ...(st.reason ? { reason: st.reason } : {}) })
      } catch (err) {
        if (statusOf(err) === 404) {
          this.tracked.delete(instanceId)
          this.emit({
            instanceId,
            state: 'stopped',
            reason: 'container was removed while the engine was away',
          })
        }
      }
    }
  }

  async close(): Promise<void> {
    this.events?.stop()
    this.events = undefined
    this.listeners.clear()
    for (const s of this.stats.values()) s.close()
    this.stats.clear()
  }

  /** Runs an engine call; "no engine there" becomes an error that names the socket and the fix. */
  private async engine<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (err) {
      if (!(err instanceof WorldbenchError) && isConnectionError(err))
        throw engineUnreachable(this.endpoint, err)
      throw err
    }
  }
}

/** Podman without its init binary (Debian's podman only recommends catatonit) refuses Init: true. */
function initMissing(w: Workload, err: unknown): WorldbenchError | undefined {
  const msg = engineMessage(err)
  if (!/container-init binary not found/i.test(msg)) return undefined
  return new WorldbenchError(
    'CONTAINER_INIT_MISSING',
    `The engine cannot start ${w.world}/${w.name} with an init process: ${msg}`,
    'Install catatonit ("sudo apt-get install catatonit"), or point init_path in containers.conf at tini or dumb-init, or set "container.init: false" on the workload.',
    { engine: msg },
  )
}
