import type Docker from 'dockerode'
import type { RuntimeEvent } from '../../core/runtime.ts'
import type { Endpoint } from './discovery.ts'
import { statusOf } from './engine-errors.ts'
import { type EngineEvent, EventLoop } from './events.ts'
import { LABEL_INSTANCE } from './labels.ts'
import { stateFromInspect } from './state.ts'

/**
 * The engine's events about Worldbench's containers, as RuntimeEvents: what changed outside
 * Worldbench (a `docker stop` in a terminal, an OOM kill, a removal), and a resync after an outage.
 */
export class EngineWatch {
  /** Instances started or adopted: what watch() reports on and resyncs (instance id → container id). */
  private readonly tracked = new Map<string, string>()
  private readonly killed = new Set<string>()
  /** Instances Worldbench itself is stopping: their kill/die/stop events are not news. */
  private readonly ourStops = new Set<string>()
  private readonly listeners = new Set<(e: RuntimeEvent) => void>()
  private events: EventLoop | undefined
  private readonly docker: Docker
  private readonly endpoint: Endpoint
  private readonly reconnect: { minMs?: number; maxMs?: number }

  constructor(docker: Docker, endpoint: Endpoint, reconnect: { minMs?: number; maxMs?: number }) {
    this.docker = docker
    this.endpoint = endpoint
    this.reconnect = reconnect
  }

  track(instanceId: string, containerId: string): void {
    this.tracked.set(instanceId, containerId)
  }

  untrack(instanceId: string): void {
    this.tracked.delete(instanceId)
  }

  /** Worldbench is stopping it: the events of that stop, which arrive a little after it returns, are ours. */
  stopping(instanceId: string): void {
    this.ourStops.add(instanceId)
    setTimeout(() => this.ourStops.delete(instanceId), 5000).unref()
  }

  isStopping(instanceId: string): boolean {
    return this.ourStops.has(instanceId)
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
      if (this.listeners.size === 0) this.close()
    }
  }

  close(): void {
    this.events?.stop()
    this.events = undefined
  }

  /** Stops the event stream and forgets every listener. */
  closeAll(): void {
    this.close()
    this.listeners.clear()
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
}
