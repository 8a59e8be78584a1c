import type { InstanceInfo, InstanceState, StartPhase } from '../../contract/api.ts'
import { WorldbenchError } from './errors.ts'
import type { EventBus } from './events.ts'
import { instanceInfo } from './instance-info.ts'
import { logFailure } from './log.ts'
import { LogBuffer } from './log-buffer.ts'
import type { Instance, Runtime } from './runtime.ts'
import type { Workload } from './world/schema.ts'

/** An instance the Supervisor holds, with what it needs to follow, stop and restart it. */
export interface Managed {
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

/** The instances held, by id; every change to one is an event on the bus. */
export class ManagedInstances {
  private readonly byId = new Map<string, Managed>()
  private readonly bus: EventBus

  constructor(bus: EventBus) {
    this.bus = bus
  }

  /** Holds a new instance, reports it and follows its logs into its buffer. */
  track(
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
    this.byId.set(instance.id, m)
    void this.collectLogs(m)
    this.bus.emit('instance', this.info(m))
    return m
  }

  /** Holds an instance as it is: no event, no log stream (a read-only look, a failed restart kept). */
  hold(m: Managed): void {
    this.byId.set(m.instance.id, m)
  }

  /** Lets go of it, unless its id already belongs to a newer one (a restart in place). */
  release(m: Managed): void {
    if (this.byId.get(m.instance.id) === m) this.byId.delete(m.instance.id)
  }

  has(id: string): boolean {
    return this.byId.has(id)
  }

  current(id: string): Managed | undefined {
    return this.byId.get(id)
  }

  get(id: string): Managed {
    const m = this.byId.get(id)
    if (!m)
      throw new WorldbenchError(
        'NO_SUCH_INSTANCE',
        `There is no instance "${id}".`,
        'List instances with "worldbench ps".',
      )
    return m
  }

  all(): Managed[] {
    return [...this.byId.values()]
  }

  findRunning(world: string, workload: string): Managed | undefined {
    return this.all().find(
      (m) => m.instance.world === world && m.instance.workload === workload && m.instance.state === 'running',
    )
  }

  setState(m: Managed, state: InstanceState, reason?: string): void {
    m.instance.state = state
    if (reason !== undefined) m.instance.reason = reason
    this.bus.emit('instance', this.info(m))
  }

  info(m: Managed): InstanceInfo {
    return { ...instanceInfo(m.instance), ...(m.timeline && { timeline: m.timeline }) }
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
    } catch (err) {
      // The log stream ends with its instance; only a stream lost while it runs is worth a line.
      if (!m.stopLogs.signal.aborted && m.instance.state === 'running')
        logFailure('lost the log stream of a running instance', err, { instance: m.instance.id })
    }
  }
}
