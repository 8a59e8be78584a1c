import Docker from 'dockerode'
import type { EngineStatus, LogLine, PortBinding, Sample } from '../../../preload/api.ts'
import { WorldbenchError } from '../../core/errors.ts'
import { newInstanceId } from '../../core/ids.ts'
import { ownerId } from '../../core/owner.ts'
import { bindPorts, portInUse, urlFor } from '../../core/ports.ts'
import { httpOk, type ReadySpec, sleep } from '../../core/readiness.ts'
import { pauseForTest } from '../../core/test-pause.ts'
import type { Workload } from '../../core/world/schema.ts'
import type {
  Artifact,
  Instance,
  LogOptions,
  Progress,
  Runtime,
  RuntimeEvent,
  StartOptions,
} from '../runtime.ts'
import {
  createOptions,
  LABEL_INSTANCE,
  LABEL_OWNER,
  LABEL_READY,
  LABEL_WORKLOAD,
  LABEL_WORLD,
  ownLabel,
} from './create-options.ts'
import { discoverEndpoint, type Endpoint, parseHost } from './discovery.ts'
import { engineMessage, engineUnreachable, isConnectionError, statusOf } from './engine-errors.ts'
import { type EngineEvent, EventLoop } from './events.ts'
import { prepareImage } from './image.ts'
import { containerLogs } from './logs.ts'
import { openPodmanStats } from './podman-stats.ts'
import { engineFlavor, probeEngine } from './probe.ts'
import { stateFromInspect, stateFromListing } from './state.ts'
import { toSample } from './stats-math.ts'
import { StatsStream } from './stats-stream.ts'

export interface ContainerRuntimeOptions {
  /** A socket (or named pipe) that overrides discovery: the "container.socket" setting, tests. */
  socketPath?: string
  /**
   * How long a just-started container must stay up before start() trusts it (a container that
   * dies at once takes 150–250 ms on Docker here, 270–920 ms on Podman, which notices an exit
   * only when conmon's cleanup reports it; so 500 ms, or 1500 ms on Podman). An HTTP readiness
   * path that answers ends the wait early.
   */
  exitCheckMs?: number
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
  private readonly exitCheckMs: number | undefined
  private readonly reconnect: { minMs?: number; maxMs?: number }
  /** Instances this object started or adopted: what watch() reports on and resyncs. */
  private readonly tracked = new Map<string, string>()
  private readonly killed = new Set<string>()
  /** Instances Worldbench itself is stopping: their kill/die/stop events are not news. */
  private readonly ourStops = new Set<string>()
  private readonly stats = new Map<string, StatsStream>()
  private readonly listeners = new Set<(e: RuntimeEvent) => void>()
  private events: EventLoop | undefined
  private flavor: Promise<'docker' | 'podman'> | undefined

  constructor(opts: ContainerRuntimeOptions = {}) {
    this.endpoint = opts.socketPath
      ? parseHost(
          opts.socketPath.includes('://') ? opts.socketPath : `unix://${opts.socketPath}`,
          'container.socket setting',
        )
      : discoverEndpoint()
    this.docker = this.endpoint.host
      ? new Docker({ host: this.endpoint.host, port: this.endpoint.port ?? 2375, protocol: 'http' })
      : new Docker({ socketPath: this.endpoint.socketPath ?? '/var/run/docker.sock' })
    this.exitCheckMs = opts.exitCheckMs
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
    const image = w.container?.image ?? a.ref
    const created = await this.engine(() =>
      this.docker.createContainer(createOptions(w, id, image, ports)).catch((err: unknown) => {
        throw initMissing(w, err) ?? err
      }),
    )
    const removeIt = () => created.remove({ force: true }).catch(() => undefined)
    await pauseForTest('container:created')
    try {
      await created.start()
    } catch (err) {
      await removeIt()
      throw this.startError(w, id, ports, err)
    }
    const exited = await this.exitedAtOnce(created, w, ports)
    if (exited) {
      const last = await this.lastLines(created.id, 20)
      await removeIt()
      throw new WorldbenchError(
        'CONTAINER_EXITED',
        `Container ${id} (${image}) exited at once with code ${exited.code}.`,
        last.length
          ? `Its last log lines:\n${last.join('\n')}`
          : "It printed nothing; check the image's entrypoint, command and args.",
        { exitCode: exited.code, lastLogLines: last },
      )
    }
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
    }
    if (w.limits.memoryMiB) instance.guestMemoryBytes = w.limits.memoryMiB * 1024 * 1024
    return instance
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
   * Waits a moment for the container to die at once (bad flag, missing file). A workload that
   * already answers its HTTP readiness path on 127.0.0.1 is up, so cold starts pay nothing extra.
   */
  private async exitedAtOnce(
    c: Docker.Container,
    w: Workload,
    ports: PortBinding[],
  ): Promise<{ code: number } | undefined> {
    const settled = { done: false }
    const waited = c
      .wait({ condition: 'not-running' })
      .then((r: { StatusCode?: number }) => ({ code: r.StatusCode ?? -1 }))
      .catch(() => undefined)
    const answered = async (): Promise<undefined> => {
      const port = ports[0]
      const path = w.ready?.http
      if (!port || path === undefined) return new Promise<undefined>(() => {})
      while (!settled.done && !(await httpOk(port, path))) await sleep(25)
      return undefined
    }
    const flavor = await this.engineFlavor().catch(() => 'docker')
    const checkMs = this.exitCheckMs ?? (flavor === 'podman' ? 1500 : 500)
    try {
      return await Promise.race([waited, sleep(checkMs).then(() => undefined), answered()])
    } finally {
      settled.done = true
    }
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

  async stop(i: Instance, opts: { timeoutMs?: number } = {}): Promise<void> {
    const cid = i.handle.containerId
    this.stats.get(i.id)?.close()
    this.stats.delete(i.id)
    this.tracked.delete(i.id)
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
    })
  }

  async sample(i: Instance): Promise<Sample> {
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
    return toSample(reading, i.guestMemoryBytes)
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

  async adopt(): Promise<Instance[]> {
    const found = await this.observe()
    for (const i of found) this.tracked.set(i.id, i.handle.containerId!)
    return found
  }

  /** This installation's containers, as the engine reports them. */
  async observe(): Promise<Instance[]> {
    const rows = await this.engine(() =>
      this.docker.listContainers({ all: true, filters: { label: [LABEL_INSTANCE, ownLabel()] } }),
    )
    const out: Instance[] = []
    for (const r of rows) {
      const labels = r.Labels ?? {}
      const id = labels[LABEL_INSTANCE]!
      let startedAt = r.Created * 1000
      let limit = 0
      try {
        const info = await this.docker.getContainer(r.Id).inspect()
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
