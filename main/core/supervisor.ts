import type { EngineStatus, ErrorShape, InstanceInfo, LogLine, WorldStatus } from '../../contract/api.ts'
import { adoptAll, observeAll } from './adoption.ts'
import { toErrorShape, WorldbenchError } from './errors.ts'
import type { EventBus } from './events.ts'
import { logFailure } from './log.ts'
import type { LogBuffer } from './log-buffer.ts'
import { type Managed, ManagedInstances } from './managed.ts'
import { RestartPolicy } from './restart-policy.ts'
import type { Instance, Runtime, RuntimeEvent } from './runtime.ts'
import type { RuntimeRegistry } from './runtime-registry.ts'
import { startOne } from './start-one.ts'
import { pauseForTest } from './test-pause.ts'
import { startWaves } from './world/order.ts'
import type { Kind, Workload, World } from './world/schema.ts'

/** How long a stop may take before the engine is told to kill. */
const STOP_TIMEOUT_MS = 10_000

export interface SupervisorOptions {
  /** Follow engine events (false for a read-only look by a process that is not the owner). */
  watch?: boolean
  /**
   * Called before a workload's scripts (prepare, vm.build, wasm.build) run, at every start and
   * restart: throws when they are not trusted as they are now (edited since they were trusted).
   */
  beforeScripts?: (w: Workload) => Promise<void>
}

/**
 * Owns every instance: starts a world in dependency order (independent workloads in parallel),
 * waits for readiness, rolls back on failure, stops in reverse order, and restarts what its
 * policy says when the engine reports an end. Every change is an event.
 */
export class Supervisor {
  private readonly managed: ManagedInstances
  private readonly launches = new Map<string, { done: Promise<WorldStatus>; abort: AbortController }>()
  private readonly probes = new Map<Kind, Promise<EngineStatus>>()
  private readonly unwatch: (() => void)[] = []
  private readonly policy = new RestartPolicy()
  private readonly registry: RuntimeRegistry
  private readonly bus: EventBus

  private readonly beforeScripts: SupervisorOptions['beforeScripts']

  constructor(registry: RuntimeRegistry, bus: EventBus, opts: SupervisorOptions = {}) {
    this.registry = registry
    this.bus = bus
    this.managed = new ManagedInstances(bus)
    this.beforeScripts = opts.beforeScripts
    if (opts.watch !== false) for (const runtime of registry.all()) this.attach(runtime)
  }

  /** Follows a runtime's engine events (state changes made outside Worldbench, restarts). */
  attach(runtime: Runtime): void {
    const off = runtime.watch?.((e) => this.engineEvent(e))
    if (off) this.unwatch.push(off)
  }

  /** A state change Worldbench did not cause (engine events, the Sampler finding an instance gone). */
  engineEvent(e: RuntimeEvent): void {
    const m = this.managed.current(e.instanceId)
    if (!m || m.stopping) return
    this.managed.setState(m, e.state, e.reason)
    if (e.state === 'failed' || e.state === 'stopped') this.applyRestartPolicy(m, e.exitCode)
  }

  /** Picks up what this app started before it restarted (containers, VMs). */
  adoptAll(): Promise<Instance[]> {
    return adoptAll(this.registry, this.managed)
  }

  /** What the engines run for this state dir, without taking hold of it (see adoption.ts). */
  observeAll(): Promise<void> {
    return observeAll(this.registry, this.managed)
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
          const existing = await this.reusable(w)
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

  /**
   * The instance of a workload that a launch joins instead of starting a second: a running one
   * (an adopted one once its re-check passed). Any other (a container created but never started,
   * a failed VM) is removed first, so nothing of it is left beside the new one.
   */
  private async reusable(w: Workload): Promise<Managed | undefined> {
    const same = () =>
      this.managed
        .all()
        .filter((m) => m.instance.world === w.world && m.instance.workload === w.name && !m.stopping)
    for (const m of same()) await m.rechecked
    const running = same().find((m) => m.instance.state === 'running')
    if (running) return running
    for (const m of same())
      await this.stopManaged(m).catch((err: unknown) =>
        logFailure('could not remove a stale instance', err, { instance: m.instance.id }),
      )
    return undefined
  }

  private probe(kind: Kind): Promise<EngineStatus> {
    let p = this.probes.get(kind)
    if (!p) {
      p = this.registry.get(kind).probe()
      this.probes.set(kind, p)
    }
    return p
  }

  /**
   * Prepares, starts and waits for one workload; on any failure nothing of it is left running.
   * A restart in place passes the instance's id and log buffer, so both carry on.
   */
  async startWorkload(
    w: Workload,
    signal?: AbortSignal,
    again?: { id: string; logs: LogBuffer },
  ): Promise<Managed> {
    const runtime = this.registry.get(w.kind)
    const scope = `${w.world}/${w.name}`
    let m: Managed | undefined
    const started = await startOne(w, {
      runtime,
      progress: (p) => this.bus.emit('progress', { scope, ...p }),
      ...(signal && { signal }),
      ...(this.beforeScripts && { beforeScripts: this.beforeScripts }),
      // ${workloads.NAME.url} references are filled from the running dependencies at each start.
      urlOf: (name) => this.managed.findRunning(w.world, name)?.instance.ports[0]?.url,
      ...(again && { startOptions: { id: again.id } }),
      onStarted: async (instance) => {
        const tracked = this.managed.track(instance, w, runtime, again?.logs)
        m = tracked
        await pauseForTest('supervisor:started')
        return {
          alive: async () => {
            if (tracked.instance.state === 'failed' || tracked.instance.state === 'stopped') {
              const last = tracked.logs
                .tail(10)
                .map((l) => l.line)
                .join('\n')
              throw new WorldbenchError(
                'EXITED',
                `${w.name} stopped before it became ready${tracked.instance.reason ? `: ${tracked.instance.reason}` : ''}.`,
                last ? `Its last log lines:\n${last}` : 'Check its logs.',
              )
            }
          },
          logSignal: tracked.stopLogs.signal,
          lastLogLines: () => tracked.logs.tail(15).map((l) => l.line),
          stop: () => this.stopManaged(tracked),
        }
      },
    })
    const ready = m!
    ready.timeline = started.timeline
    if (w.run === 'once') {
      // A step that ran once is done: what is left of it goes (an exited container); it stays
      // listed as stopped, with its logs, like any stopped instance.
      ready.instance.reason = 'completed (exit code 0)'
      await this.stopManaged(ready)
    } else this.managed.setState(ready, 'running')
    this.bus.emit('progress', {
      scope,
      step: 'ready',
      percent: 100,
      message: w.run === 'once' ? 'completed' : (started.instance.ports[0]?.url ?? 'ready'),
    })
    return ready
  }

  /** Stops a world's instances in reverse start order. */
  async down(worldName: string): Promise<number> {
    // A launch still under way is cancelled; it stops what it had started before it settles.
    const launch = this.launches.get(worldName)
    launch?.abort.abort()
    await launch?.done.catch(() => undefined)
    const ms = this.managed.all().filter((m) => m.instance.world === worldName)
    await this.stopAll(ms.reverse())
    return ms.length
  }

  async stopInstance(id: string): Promise<void> {
    await this.stopManaged(this.get(id))
  }

  async restartInstance(id: string): Promise<InstanceInfo> {
    return this.info(await this.respawn(this.get(id), 'by request'))
  }

  /**
   * Starts an instance again in place: the same id, the same host ports (so the
   * `${workloads.X.url}` of its dependents stays right) and its log buffer, with a marker line.
   */
  private async respawn(m: Managed, why: string): Promise<Managed> {
    const w = m.workload
    if (!w) {
      throw new WorldbenchError(
        'CANNOT_RESTART',
        `${m.instance.id} was adopted after a restart and its world file was not loaded.`,
        'Run "worldbench up" for its world again.',
      )
    }
    const { id, ports } = m.instance
    m.stopping = true
    m.stopLogs.abort()
    await m.runtime
      .stop(m.instance, { timeoutMs: STOP_TIMEOUT_MS })
      .catch((err: unknown) =>
        logFailure('could not stop an instance before restarting it', err, { instance: id }),
      )
    const line: LogLine = { t: Date.now(), stream: 'system', line: `--- restarted (${why}) ---` }
    m.logs.push(line)
    this.bus.emit('log', { id, line })
    const pinned: Workload = {
      ...w,
      ports: w.ports.map((p, i) => ({ ...p, host: ports[i]?.host ?? p.host })),
    }
    let next: Managed
    try {
      next = await this.startWorkload(pinned, undefined, { id, logs: m.logs })
    } catch (err) {
      if (!m.removed) {
        m.stopping = false
        this.managed.hold(m)
        this.managed.setState(m, 'failed', `restart failed: ${toErrorShape(err).message}`)
      }
      throw err
    }
    next.workload = w
    // Stopped (e.g. `down`) while it was coming back: it does not outlive that.
    if (m.removed) await this.stopManaged(next)
    return next
  }

  private applyRestartPolicy(m: Managed, exitCode?: number): void {
    const w = m.workload
    if (!w) return
    const decision = this.policy.decide(w, {
      state: m.instance.state,
      ...(m.instance.reason !== undefined && { reason: m.instance.reason }),
      ...(exitCode !== undefined && { exitCode }),
    })
    if (decision.action === 'give up') this.managed.setState(m, 'failed', decision.reason)
    if (decision.action !== 'restart') return
    setTimeout(() => {
      if (this.managed.current(m.instance.id) !== m || m.stopping) return
      this.bus.emit('progress', {
        scope: `${w.world}/${w.name}`,
        step: 'restart',
        message: `Restarting (policy "${w.restart}")`,
      })
      // A restart that fails leaves the instance failed, with why as its reason.
      void this.respawn(m, decision.why).catch(() => undefined)
    }, decision.delayMs).unref()
  }

  private async stopAll(ms: Managed[]): Promise<void> {
    // Reverse dependency order: what was started last is stopped first. A completed run-once
    // step was let go of already.
    for (const m of ms.filter((x) => !x.removed))
      await this.stopManaged(m).catch((err: unknown) =>
        logFailure('could not stop an instance', err, { instance: m.instance.id }),
      )
  }

  private async stopManaged(m: Managed): Promise<void> {
    m.stopping = true
    this.managed.setState(m, 'stopping')
    try {
      await m.runtime.stop(m.instance, { timeoutMs: STOP_TIMEOUT_MS })
    } finally {
      m.stopLogs.abort()
      m.removed = true
      this.managed.setState(m, 'stopped')
      this.managed.release(m)
      this.bus.emit('instanceRemoved', { id: m.instance.id })
    }
  }

  get(id: string): Managed {
    return this.managed.get(id)
  }

  instances(): Instance[] {
    return this.managed.all().map((m) => m.instance)
  }

  runtimeOf(id: string): Runtime {
    return this.get(id).runtime
  }

  logs(id: string, tail: number): LogLine[] {
    return this.get(id).logs.tail(tail)
  }

  info(m: Managed): InstanceInfo {
    return this.managed.info(m)
  }

  async close(opts: { stopAll: boolean }): Promise<void> {
    for (const off of this.unwatch) off()
    if (opts.stopAll) await this.stopAll(this.managed.all().reverse())
    for (const m of this.managed.all()) m.stopLogs.abort()
  }
}
