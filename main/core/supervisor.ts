import type {
  EngineStatus,
  ErrorShape,
  InstanceInfo,
  InstanceState,
  LogLine,
  StartPhase,
  WorldStatus,
} from '../../contract/api.ts'
import { toErrorShape, WorldbenchError } from './errors.ts'
import type { EventBus } from './events.ts'
import { instanceInfo } from './instance-info.ts'
import { LogBuffer } from './log-buffer.ts'
import { runPrepareScript } from './prepare-script.ts'
import { readySpec, waitReady } from './readiness.ts'
import { healthProbe, type Instance, type Runtime } from './runtime.ts'
import type { RuntimeRegistry } from './runtime-registry.ts'
import { epochNow, startPhases } from './start-timeline.ts'
import { pauseForTest } from './test-pause.ts'
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
  /** Set once it was stopped and let go of, so a restart under way does not bring it back. */
  removed?: boolean
  /** An adopted instance's readiness re-check, under way or done. */
  rechecked?: Promise<void>
  /** Where its start went, request to ready (set once ready). */
  timeline?: StartPhase[]
}

export interface SupervisorOptions {
  /** How long a stop may take before the engine is told to kill. */
  stopTimeoutMs?: number
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

  private readonly beforeScripts: SupervisorOptions['beforeScripts']

  constructor(registry: RuntimeRegistry, bus: EventBus, opts: SupervisorOptions = {}) {
    this.registry = registry
    this.bus = bus
    this.stopTimeoutMs = opts.stopTimeoutMs ?? 10_000
    this.beforeScripts = opts.beforeScripts
    if (opts.watch !== false) for (const runtime of registry.all()) this.attach(runtime)
  }

  /** Follows a runtime's engine events (state changes made outside Worldbench, restarts). */
  attach(runtime: Runtime): void {
    const off = runtime.watch?.((e) => {
      const m = this.managed.get(e.instanceId)
      if (!m || m.stopping) return
      this.setState(m, e.state, e.reason)
      if (e.state === 'failed' || e.state === 'stopped') this.applyRestartPolicy(m, e.exitCode)
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
          const m = this.track(instance, undefined, runtime)
          if (instance.state === 'running') m.rechecked = this.recheck(m)
          adopted.push(instance)
        }
      } catch {
        // An engine that is down cannot be adopted from; its doctor entry says why.
      }
    }
    return adopted
  }

  /**
   * An adopted instance is shown `starting` until it answers its readiness probe again (the one
   * it was started with, kept on the engine side): a VM whose QEMU runs may not serve yet.
   */
  private async recheck(m: Managed): Promise<void> {
    const i = m.instance
    this.setState(m, 'starting', 'adopted: checking that it answers')
    const ready = i.ready ?? { timeoutSeconds: i.kind === 'vm' ? 180 : 60, ...(i.ports[0] && { tcp: true }) }
    try {
      await waitReady({
        name: `${i.workload} (${i.kind})`,
        ports: i.ports,
        ready,
        signal: m.stopLogs.signal,
        logs: () => m.runtime.logs(i, { follow: true, tail: 10_000, signal: m.stopLogs.signal }),
      })
      if (m.instance.state !== 'starting') return
      delete m.instance.reason
      this.setState(m, 'running')
    } catch (err) {
      if (!m.stopping && !m.removed) this.setState(m, 'failed', `adopted, but ${toErrorShape(err).message}`)
    }
  }

  /**
   * What the engines run for this state dir, listed without taking hold of it (no QMP, no log
   * streams, no reaping): for a process that reads while no owner runs.
   */
  async observeAll(): Promise<void> {
    for (const runtime of this.registry.all()) {
      const found = await (runtime.observe?.() ?? Promise.resolve([])).catch(() => [])
      for (const instance of found) {
        this.managed.set(instance.id, {
          instance,
          workload: undefined,
          runtime,
          logs: new LogBuffer(),
          stopLogs: new AbortController(),
          stopping: false,
        })
      }
    }
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
      [...this.managed.values()].filter(
        (m) => m.instance.world === w.world && m.instance.workload === w.name && !m.stopping,
      )
    for (const m of same()) await m.rechecked
    const running = same().find((m) => m.instance.state === 'running')
    if (running) return running
    for (const m of same()) await this.stopManaged(m).catch(() => undefined)
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
    if (w.prepare || w.vm?.build || w.wasm?.build) await this.beforeScripts?.(w)
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
    const instance = await runtime.start(resolved, artifact, again && { id: again.id })
    instance.state = 'starting'
    const m = this.track(instance, w, runtime, again?.logs)
    await pauseForTest('supervisor:started')
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
    await m.runtime.stop(m.instance, { timeoutMs: this.stopTimeoutMs }).catch(() => undefined)
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
        this.managed.set(id, m)
        this.setState(m, 'failed', `restart failed: ${toErrorShape(err).message}`)
      }
      throw err
    }
    next.workload = w
    // Stopped (e.g. `down`) while it was coming back: it does not outlive that.
    if (m.removed) await this.stopManaged(next)
    return next
  }

  /**
   * `restart: always` brings an instance back whenever it ends on its own, `on-failure` only when
   * it failed; at most RESTART_LIMIT times a minute, so a crash loop ends as failed with its reason.
   */
  private applyRestartPolicy(m: Managed, exitCode?: number): void {
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
      void this.respawn(
        m,
        exitCode !== undefined ? `exit ${exitCode}` : (m.instance.reason ?? m.instance.state),
      ).catch(() => undefined)
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
      m.removed = true
      this.setState(m, 'stopped')
      if (this.managed.get(m.instance.id) === m) this.managed.delete(m.instance.id)
      this.bus.emit('instanceRemoved', { id: m.instance.id })
    }
  }

  private track(
    instance: Instance,
    workload: Workload | undefined,
    runtime: Runtime,
    logs = new LogBuffer(),
  ): Managed {
    const m: Managed = {
      instance,
      workload,
      runtime,
      logs,
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
    return { ...instanceInfo(m.instance), ...(m.timeline && { timeline: m.timeline }) }
  }

  async close(opts: { stopAll: boolean }): Promise<void> {
    for (const off of this.unwatch) off()
    if (opts.stopAll) await this.stopAll([...this.managed.values()].reverse())
    for (const m of this.managed.values()) m.stopLogs.abort()
  }
}
