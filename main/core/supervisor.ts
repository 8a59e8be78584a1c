import type {
  EngineStatus,
  ErrorShape,
  InstanceInfo,
  InstanceState,
  LogLine,
  StartPhase,
  WorldStatus,
} from '../../preload/api.ts'
import type { RuntimeRegistry } from '../runtimes/registry.ts'
import { healthProbe, type Instance, type Runtime } from '../runtimes/runtime.ts'
import { toErrorShape, WorldbenchError } from './errors.ts'
import type { EventBus } from './events.ts'
import { LogBuffer } from './log-buffer.ts'
import { runPrepareScript } from './prepare-script.ts'
import { type ReadySpec, waitReady } from './readiness.ts'
import { epochNow, startPhases } from './start-timeline.ts'
import { startWaves } from './world/order.ts'
import { withResolvedRefs } from './world/refs.ts'
import type { Kind, Workload, World } from './world/schema.ts'

const RESTART_LIMIT = 5

interface Managed {
  instance: Instance
  workload: Workload | undefined
  runtime: Runtime
  logs: LogBuffer
  stopLogs: AbortController
  /** Set while Worldbench itself stops the instance, so engine events about it are not surprises. */
  stopping: boolean
  /** Where its start went, request to ready (set once ready). */
  timeline?: StartPhase[]
}

export interface SupervisorOptions {
  /** How long a stop may take before the engine is told to kill. */
  stopTimeoutMs?: number
}

/**
 * Owns every instance: starts a world in dependency order (independent workloads in parallel),
 * waits for readiness, rolls back on failure, stops in reverse order. Every change is an event.
 */
export class Supervisor {
  private readonly managed = new Map<string, Managed>()
  private readonly launches = new Map<string, { done: Promise<WorldStatus>; abort: AbortController }>()
  private readonly probes = new Map<Kind, Promise<EngineStatus>>()
  private readonly unwatch: (() => void)[] = []
  private readonly restarts = new Map<string, number[]>()
  private readonly registry: RuntimeRegistry
  private readonly bus: EventBus
  private readonly stopTimeoutMs: number

  constructor(registry: RuntimeRegistry, bus: EventBus, opts: SupervisorOptions = {}) {
    this.registry = registry
    this.bus = bus
    this.stopTimeoutMs = opts.stopTimeoutMs ?? 10_000
    for (const runtime of registry.all()) this.attach(runtime)
  }

  /** Follows a runtime's engine events (state changes made outside Worldbench, restarts). */
  attach(runtime: Runtime): void {
    const off = runtime.watch?.((e) => {
      const m = this.managed.get(e.instanceId)
      if (!m || m.stopping) return
      this.setState(m, e.state, e.reason)
      if (e.state === 'failed' || e.state === 'stopped') this.applyRestartPolicy(m)
    })
    if (off) this.unwatch.push(off)
  }

  /** Picks up what this app started before it restarted (containers, VMs). */
  async adoptAll(): Promise<Instance[]> {
    const adopted: Instance[] = []
    for (const runtime of this.registry.all()) {
      try {
        for (const instance of await runtime.adopt()) {
          if (this.managed.has(instance.id)) continue
          this.track(instance, undefined, runtime)
          adopted.push(instance)
        }
      } catch {
        // An engine that is down cannot be adopted from; its doctor entry says why.
      }
    }
    return adopted
  }

  /** Starts a world; a second launch of the same world while one runs joins it. */
  up(world: World): Promise<WorldStatus> {
    const running = this.launches.get(world.name)
    if (running) return running.done
    const abort = new AbortController()
    const done = this.launch(world, abort.signal).finally(() => this.launches.delete(world.name))
    this.launches.set(world.name, { done, abort })
    return done
  }

  private async launch(world: World, signal: AbortSignal): Promise<WorldStatus> {
    this.probes.clear()
    const failed: { workload: string; error: ErrorShape }[] = []
    const started: Managed[] = []
    const alreadyRunning: Managed[] = []
    const unavailable = new Set<string>()
    for (const wave of startWaves(world.workloads)) {
      const results = await Promise.allSettled(
        wave.map(async (w) => {
          const blockedBy = w.dependsOn.find(
            (d) => unavailable.has(d) || failed.some((f) => f.workload === d),
          )
          if (blockedBy) {
            unavailable.add(w.name)
            throw new WorldbenchError(
              'DEPENDENCY_FAILED',
              `${w.name} was not started: it depends on ${blockedBy}, which did not start.`,
              `Fix ${blockedBy} first.`,
            )
          }
          const existing = this.findRunning(w.world, w.name)
          if (existing) {
            // An adopted instance learns its definition again, so restart and its policy work.
            existing.workload ??= w
            alreadyRunning.push(existing)
            return existing
          }
          const status = await this.probe(w.kind)
          if (!status.available) {
            unavailable.add(w.name)
            throw new WorldbenchError(
              'ENGINE_UNAVAILABLE',
              `${w.name} needs the ${w.kind} engine, which is not available: ${status.error?.message ?? 'not found'}`,
              status.error?.hint ?? status.install?.linux,
              { install: status.install },
            )
          }
          const m = await this.startWorkload(w, signal)
          started.push(m)
          return m
        }),
      )
      results.forEach((r, i) => {
        if (r.status === 'rejected') failed.push({ workload: wave[i]!.name, error: toErrorShape(r.reason) })
      })
      const hardFailure = failed.some(
        (f) => f.error.code !== 'ENGINE_UNAVAILABLE' && f.error.code !== 'DEPENDENCY_FAILED',
      )
      if (hardFailure) {
        await this.stopAll([...started].reverse())
        return { world: world.name, instances: [], failed }
      }
    }
    return { world: world.name, instances: [...alreadyRunning, ...started].map((m) => this.info(m)), failed }
  }

  private probe(kind: Kind): Promise<EngineStatus> {
    let p = this.probes.get(kind)
    if (!p) {
      p = this.registry.get(kind).probe()
      this.probes.set(kind, p)
    }
    return p
  }

  /** Prepares, starts and waits for one workload; on any failure nothing of it is left running. */
  async startWorkload(w: Workload, signal?: AbortSignal): Promise<Managed> {
    const runtime = this.registry.get(w.kind)
    const cancelled = () => {
      if (signal?.aborted)
        throw new WorldbenchError(
          'CANCELLED',
          `Starting ${w.name} was cancelled.`,
          'The world is being stopped.',
        )
    }
    const scope = `${w.world}/${w.name}`
    cancelled()
    if (w.prepare) {
      this.bus.emit('progress', { scope, step: 'build', message: `Running ${w.prepare}` })
      await runPrepareScript(w, (line) => this.bus.emit('progress', { scope, step: 'build', message: line }))
    }
    this.bus.emit('progress', { scope, step: 'prepare', message: `Preparing ${w.kind} artifact` })
    const artifact = await runtime.prepare(w, (p) => this.bus.emit('progress', { scope, ...p }))
    cancelled()
    this.bus.emit('progress', { scope, step: 'start', message: 'Starting' })
    // ${workloads.NAME.url} references are filled from the running dependencies at each start.
    const resolved = withResolvedRefs(w, (name) => this.findRunning(w.world, name)?.instance.ports[0]?.url)
    const t0 = epochNow()
    const instance = await runtime.start(resolved, artifact)
    instance.state = 'starting'
    const m = this.track(instance, w, runtime)
    const ready = readySpec(w)
    try {
      await waitReady({
        name: `${w.name} (${w.kind})`,
        ports: instance.ports,
        ready,
        ...(signal && { signal }),
        logs: () => runtime.logs(instance, { follow: true, tail: 10_000, signal: m.stopLogs.signal }),
        ...healthProbe(runtime, instance),
        alive: async () => {
          if (m.instance.state === 'failed' || m.instance.state === 'stopped') {
            const last = m.logs
              .tail(10)
              .map((l) => l.line)
              .join('\n')
            throw new WorldbenchError(
              'EXITED',
              `${w.name} stopped before it became ready${m.instance.reason ? `: ${m.instance.reason}` : ''}.`,
              last ? `Its last log lines:\n${last}` : 'Check its logs.',
            )
          }
        },
      })
      const end = epochNow()
      m.timeline = startPhases(
        t0,
        instance.marks ?? [],
        end,
        ready.http || ready.tcp ? 'port answering' : 'ready',
      )
      cancelled()
    } catch (err) {
      const last = m.logs.tail(15).map((l) => l.line)
      await this.stopManaged(m).catch(() => undefined)
      cancelled()
      if (err instanceof WorldbenchError && err.code === 'NOT_READY') {
        throw new WorldbenchError(
          err.code,
          err.message,
          `${err.hint}${last.length ? `\nLast log lines:\n${last.join('\n')}` : ''}`,
          { lastLogLines: last },
        )
      }
      throw err
    }
    this.setState(m, 'running')
    this.bus.emit('progress', {
      scope,
      step: 'ready',
      percent: 100,
      message: instance.ports[0]?.url ?? 'ready',
    })
    return m
  }

  /** Stops a world's instances in reverse start order. */
  async down(worldName: string): Promise<number> {
    // A launch still under way is cancelled; it stops what it had started before it settles.
    const launch = this.launches.get(worldName)
    launch?.abort.abort()
    await launch?.done.catch(() => undefined)
    const ms = [...this.managed.values()].filter((m) => m.instance.world === worldName)
    await this.stopAll(ms.reverse())
    return ms.length
  }

  async stopInstance(id: string): Promise<void> {
    await this.stopManaged(this.get(id))
  }

  async restartInstance(id: string): Promise<InstanceInfo> {
    const m = this.get(id)
    if (!m.workload) {
      throw new WorldbenchError(
        'CANNOT_RESTART',
        `${id} was adopted after a restart and its world file was not loaded.`,
        'Run "worldbench up" for its world again.',
      )
    }
    const w = m.workload
    await this.stopManaged(m)
    return this.info(await this.startWorkload(w))
  }

  /**
   * `restart: always` brings an instance back whenever it ends on its own, `on-failure` only when
   * it failed; at most RESTART_LIMIT times a minute, so a crash loop ends as failed with its reason.
   */
  private applyRestartPolicy(m: Managed): void {
    const w = m.workload
    if (!w || w.restart === 'no' || (w.restart === 'on-failure' && m.instance.state !== 'failed')) return
    const key = `${w.world}/${w.name}`
    const now = Date.now()
    const recent = (this.restarts.get(key) ?? []).filter((t) => now - t < 60_000)
    if (recent.length >= RESTART_LIMIT) {
      this.setState(
        m,
        'failed',
        `restarted ${RESTART_LIMIT} times within a minute; giving up (${m.instance.reason ?? 'no reason given'})`,
      )
      return
    }
    this.restarts.set(key, [...recent, now])
    const delayMs = 250 * 2 ** recent.length
    setTimeout(() => {
      if (this.managed.get(m.instance.id) !== m || m.stopping) return
      this.bus.emit('progress', {
        scope: key,
        step: 'restart',
        message: `Restarting (policy "${w.restart}")`,
      })
      void this.restartInstance(m.instance.id).catch((err) =>
        this.setState(m, 'failed', toErrorShape(err).message),
      )
    }, delayMs).unref()
  }

  private async stopAll(ms: Managed[]): Promise<void> {
    // Reverse dependency order: what was started last is stopped first.
    for (const m of ms) await this.stopManaged(m).catch(() => undefined)
  }

  private async stopManaged(m: Managed): Promise<void> {
    m.stopping = true
    this.setState(m, 'stopping')
    try {
      await m.runtime.stop(m.instance, { timeoutMs: this.stopTimeoutMs })
    } finally {
      m.stopLogs.abort()
      this.setState(m, 'stopped')
      this.managed.delete(m.instance.id)
      this.bus.emit('instanceRemoved', { id: m.instance.id })
    }
  }

  private track(instance: Instance, workload: Workload | undefined, runtime: Runtime): Managed {
    const m: Managed = {
      instance,
      workload,
      runtime,
      logs: new LogBuffer(),
      stopLogs: new AbortController(),
      stopping: false,
    }
    this.managed.set(instance.id, m)
    void this.collectLogs(m)
    this.bus.emit('instance', this.info(m))
    return m
  }

  private async collectLogs(m: Managed): Promise<void> {
    try {
      for await (const line of m.runtime.logs(m.instance, {
        follow: true,
        tail: 200,
        signal: m.stopLogs.signal,
      })) {
        m.logs.push(line)
        this.bus.emit('log', { id: m.instance.id, line })
      }
    } catch {
      // The log stream ends with its instance.
    }
  }

  private setState(m: Managed, state: InstanceState, reason?: string): void {
    m.instance.state = state
    if (reason !== undefined) m.instance.reason = reason
    this.bus.emit('instance', this.info(m))
  }

  private findRunning(world: string, workload: string): Managed | undefined {
    return [...this.managed.values()].find(
      (m) => m.instance.world === world && m.instance.workload === workload && m.instance.state === 'running',
    )
  }

  get(id: string): Managed {
    const m = this.managed.get(id)
    if (!m)
      throw new WorldbenchError(
        'NO_SUCH_INSTANCE',
        `There is no instance "${id}".`,
        'List instances with "worldbench ps".',
      )
    return m
  }

  instances(): Instance[] {
    return [...this.managed.values()].map((m) => m.instance)
  }

  runtimeOf(id: string): Runtime {
    return this.get(id).runtime
  }

  logs(id: string, tail: number): LogLine[] {
    return this.get(id).logs.tail(tail)
  }

  info(m: Managed): InstanceInfo {
    const i = m.instance
    return {
      id: i.id,
      kind: i.kind,
      world: i.world,
      workload: i.workload,
      state: i.state,
      ...(i.reason !== undefined && { reason: i.reason }),
      ports: i.ports,
      startedAt: i.startedAt,
      ...(m.timeline && { timeline: m.timeline }),
    }
  }

  async close(opts: { stopAll: boolean }): Promise<void> {
    for (const off of this.unwatch) off()
    if (opts.stopAll) await this.stopAll([...this.managed.values()].reverse())
    for (const m of this.managed.values()) m.stopLogs.abort()
  }
}

/** The readiness probe of a workload: what it declares, else TCP on its first port, else none. */
export function readySpec(w: Workload): ReadySpec {
  const fallbackTimeout = w.kind === 'vm' ? 180 : 60
  if (w.ready) return w.ready
  if (w.ports.length > 0) return { tcp: true, timeoutSeconds: fallbackTimeout }
  return { timeoutSeconds: fallbackTimeout }
}
