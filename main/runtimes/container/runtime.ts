import { existsSync, mkdirSync } from 'node:fs'
import Docker from 'dockerode'
import type { CostPart, EngineStatus, LogLine, PortBinding, Sample } from '../../../contract/api.ts'
import { WorldbenchError } from '../../core/errors.ts'
import { newInstanceId } from '../../core/ids.ts'
import { logFailure } from '../../core/log.ts'
import { bindPorts } from '../../core/ports.ts'
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
import { ContainerCosts } from './costs.ts'
import { createOptions } from './create-options.ts'
import { type Endpoint, endpointFor } from './discovery.ts'
import { engineMessage, onEngine, statusOf } from './engine-errors.ts'
import { prepareImage } from './image.ts'
import { listImages, pruneImages, removeImage } from './images.ts'
import { listensInside } from './listening.ts'
import { allContainers, allImages, type EngineContainer, type EngineImage, ownContainers } from './listing.ts'
import { containerLogs } from './logs.ts'
import { WorldNetworks } from './network.ts'
import { probeEngine } from './probe.ts'
import { initMissing, startError } from './start-errors.ts'
import { execTerminal } from './terminal.ts'
import { EngineWatch } from './watch.ts'

export interface ContainerRuntimeOptions {
  /** A socket (or named pipe) that overrides discovery: the "container.socket" setting, tests. */
  socketPath?: string
  /** Backoff of the event stream's reconnects. */
  reconnect?: { minMs?: number; maxMs?: number }
}

/** The `container` kind: Docker Engine or Podman through the Docker Engine API (dockerode). */
export class ContainerRuntime implements Runtime {
  readonly kind = 'container' as const
  private readonly endpoint: Endpoint
  private readonly docker: Docker
  private readonly exits = new Map<string, Promise<WorldbenchError>>()
  /** Container id → the pid of its first process, while it runs (see listening()). */
  private readonly firstPids = new Map<string, number>()
  private readonly networks: WorldNetworks
  private readonly costs: ContainerCosts
  private readonly events: EngineWatch

  constructor(opts: ContainerRuntimeOptions = {}) {
    this.endpoint = endpointFor(opts.socketPath)
    this.docker = this.endpoint.host
      ? new Docker({ host: this.endpoint.host, port: this.endpoint.port ?? 2375, protocol: 'http' })
      : new Docker({ socketPath: this.endpoint.socketPath ?? '/var/run/docker.sock' })
    this.networks = new WorldNetworks(this.docker)
    this.costs = new ContainerCosts(this.docker, this.endpoint)
    this.events = new EngineWatch(this.docker, this.endpoint, opts.reconnect ?? {})
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
    // Held from here until the container runs (see WorldNetworks); a failed start leaves none behind.
    const attachments = await this.engine(() => this.networks.ensure(w))
    const [first, ...others] = attachments
    const letGoOfNetworks = async () => {
      this.networks.release(attachments)
      await this.networks.removeUnused(attachments.map((a) => a.network))
    }
    const created = await this.engine(() =>
      this.docker.createContainer(createOptions(w, id, image, ports, first)).catch((err: unknown) => {
        throw initMissing(w, err) ?? err
      }),
    ).catch(async (err: unknown) => {
      await letGoOfNetworks()
      throw err
    })
    const marks: StartMark[] = [{ phase: 'create', at: epochNow() }]
    await pauseForTest('container:created')
    try {
      await this.networks.connect(created.id, others)
      await created.start()
    } catch (err) {
      await created
        .remove({ force: true })
        .catch((e: unknown) =>
          logFailure('removing a container whose start failed', e, { container: created.id }),
        )
      await letGoOfNetworks()
      throw startError(this.endpoint, w, id, ports, err)
    }
    this.networks.release(attachments)
    marks.push({ phase: 'process running', at: epochNow(), beforeReady: true })
    // The engine's own time the process started splits the start call; read after it, not on its path.
    const marksPending = created
      .inspect()
      .then((info) => {
        const at = isoEpochMs(info.State.StartedAt)
        if (Number.isFinite(at)) marks.push({ phase: 'start', at, beforeReady: true })
      })
      .catch(() => undefined)
    this.watchExit(id, created, image)
    this.events.track(id, created.id)
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
      marksPending,
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
      await c
        .remove({ force: true })
        .catch((err: unknown) => logFailure('removing a bench baseline container', err, { container: c.id }))
    }
    await c.start().catch(async (err: unknown) => {
      await remove()
      throw err
    })
    return { stop: remove }
  }

  /**
   * Follows the container's exit from the moment it starts (the engine's wait, which answers when
   * it stops), so an early death is reported when it happens and a healthy start waits for nothing.
   */
  private watchExit(id: string, c: Docker.Container, image: string): void {
    const exit = c
      .wait({ condition: 'not-running' })
      .then(async (r: { StatusCode?: number }) => {
        if (this.events.isStopping(id)) return new Promise<never>(() => {})
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
    this.costs.forget(i.id)
    if (cid) this.firstPids.delete(cid)
    this.events.untrack(i.id)
    this.exits.delete(i.id)
    if (!cid) return
    const c = this.docker.getContainer(cid)
    const grace = Math.max(0, Math.ceil((opts.timeoutMs ?? 10_000) / 1000))
    this.events.stopping(i.id)
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

  sample(i: Instance): Promise<Sample> {
    return this.costs.sample(i)
  }

  cost(i: Instance): Promise<CostPart[]> {
    return this.costs.cost(i)
  }

  engineOverhead(): Promise<CostPart[]> {
    return this.costs.engineOverhead()
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
    for (const i of found) this.events.track(i.id, i.handle.containerId!)
    return found
  }

  /** This installation's containers, as the engine reports them. */
  observe(): Promise<Instance[]> {
    return this.engine(() => ownContainers(this.docker))
  }

  /** Every container on the engine, Worldbench's and everyone else's. */
  listAll(): Promise<EngineContainer[]> {
    return this.engine(() => allContainers(this.docker))
  }

  /** Every image on the engine. */
  listImages(): Promise<EngineImage[]> {
    return this.engine(() => allImages(this.docker))
  }

  watch(listener: (e: RuntimeEvent) => void): () => void {
    return this.events.watch(listener)
  }

  async close(): Promise<void> {
    this.events.closeAll()
    this.costs.close()
  }

  private engine<T>(fn: () => Promise<T>): Promise<T> {
    return onEngine(this.endpoint, fn)
  }
}
