/**
 * One Wasm workload in its host process (see host-link.ts): its log lines and state, and
 * start/stop/stats as promises. The host may be its own or shared with its world.
 */
import type { ErrorShape, InstanceState, LogLine } from '../../../contract/api.ts'
import { WorldbenchError } from '../../core/errors.ts'
import { LogBuffer } from '../../core/log-buffer.ts'
import type { StartMark } from '../../core/start-timeline.ts'
import type { FromHost, HostConfig, WorkloadStats } from './host/protocol.ts'
import type { HostLink } from './host-link.ts'
import type { HostReading } from './host-share.ts'
import type { HostProcess } from './spawn-host.ts'

const NO_STATS: WorkloadStats = { guestMemoryBytes: 0, peakInstanceBytes: 0, requests: 0, guestCpuMs: 0 }

export class HostHandle {
  readonly id: string
  readonly link: HostLink
  readonly logs = new LogBuffer(5000)
  state: InstanceState = 'starting'
  reason: string | undefined
  exitCode: number | undefined
  error: ErrorShape | undefined
  private readonly lineListeners = new Set<(l: LogLine) => void>()
  private readonly stateListeners = new Set<() => void>()
  private readonly messageListeners = new Set<(m: FromHost) => void>()
  /** The workload is over: gone from a shared host, or its own host has exited (output drained). */
  readonly exited: Promise<void>
  private markExited: () => void = () => {}

  constructor(id: string, link: HostLink) {
    this.id = id
    this.link = link
    link.add(this)
    this.exited = new Promise((resolve) => (this.markExited = resolve))
  }

  get process(): HostProcess {
    return this.link.process
  }

  /** Sends the workload and resolves with its URL once it serves (or, for command, once it runs). */
  start(config: HostConfig): Promise<{ url?: string; startMs: number; marks: StartMark[] }> {
    return new Promise((resolve, reject) => {
      this.messageListeners.add((m) => {
        if (m.type === 'ready')
          resolve({ ...(m.url !== undefined && { url: m.url }), startMs: m.startMs, marks: m.marks ?? [] })
        else if (m.type === 'error' && m.fatal)
          reject(new WorldbenchError(m.error.code, m.error.message, m.error.hint, m.error.details))
      })
      void this.exited.then(() =>
        reject(
          new WorldbenchError(
            'WASM_HOST_EXITED',
            `The Wasm host for ${config.name} exited before it was ready${this.reason ? `: ${this.reason}` : ''}.`,
            'See the log lines of the instance.',
          ),
        ),
      )
      this.link.send({ type: 'start', id: this.id, config, own: this.link.own })
    })
  }

  async stats(timeoutMs = 1000): Promise<WorkloadStats> {
    if (this.state === 'stopped' || this.state === 'failed') return NO_STATS
    return (await this.link.stats(timeoutMs))[this.id] ?? NO_STATS
  }

  private lastCpu: { at: number; guestCpuMs: number } | undefined

  /** CPU % in this workload's guests since the previous sample. */
  guestCpuPercent(r: HostReading): number {
    const now = r.workloads[this.id]?.guestCpuMs
    if (now === undefined) return 0
    const last = this.lastCpu
    this.lastCpu = { at: r.at, guestCpuMs: now }
    if (!last || r.at <= last.at) return 0
    return Math.max(0, ((now - last.guestCpuMs) / (r.at - last.at)) * 100)
  }

  /**
   * Its own host: asks it to end, and kills it after the grace period. A shared host: takes this
   * workload out of it; a host that does not answer in time (a guest holding its thread) is
   * left to the guest's time limit, and the workload counts as stopped.
   */
  async stop(graceMs: number): Promise<void> {
    if (this.state === 'stopped' || this.state === 'failed') return this.exited
    this.setState('stopping')
    if (this.link.own) return this.link.close(graceMs)
    this.link.send({ type: 'stop', id: this.id })
    const timer = setTimeout(() => this.over('stopped'), graceMs)
    await this.exited
    clearTimeout(timer)
  }

  onLine(listener: (l: LogLine) => void): () => void {
    this.lineListeners.add(listener)
    return () => this.lineListeners.delete(listener)
  }

  onState(listener: () => void): () => void {
    this.stateListeners.add(listener)
    return () => this.stateListeners.delete(listener)
  }

  push(line: LogLine): void {
    this.logs.push(line)
    for (const l of this.lineListeners) l(line)
  }

  /** Its host process ended: a workload still in it ends with it, failed unless it was stopping. */
  hostExited(clean: boolean, reason: string): void {
    if (this.state !== 'failed' && this.state !== 'stopped') {
      if (this.state === 'stopping' || (clean && this.link.own)) this.setState('stopped')
      else this.setState('failed', reason)
    }
    this.markExited()
  }

  onMessage(m: FromHost): void {
    for (const l of this.messageListeners) l(m)
    if (m.type === 'log') this.push(m.line)
    else if (m.type === 'ready') {
      this.messageListeners.clear()
      this.setState('running')
    } else if (m.type === 'exit') {
      this.exitCode = m.code
      this.push({ t: Date.now(), stream: 'system', line: `exited with code ${m.code}` })
      if (m.code === 0) this.setState('stopped')
      else this.setState('failed', `exited with code ${m.code}`)
    } else if (m.type === 'error') {
      this.push({ t: Date.now(), stream: 'system', line: `${m.error.code}: ${m.error.message}` })
      if (m.fatal) {
        this.error = m.error
        this.setState('failed', m.error.message)
      }
    } else if (m.type === 'stopped' && !this.link.own) this.over('stopped')
  }

  /** Out of a shared host (its own host reports the end when the process has exited). */
  private over(state: 'stopped'): void {
    if (this.state !== 'failed' && this.state !== 'stopped') this.setState(state)
    this.link.remove(this.id)
    this.markExited()
  }

  private setState(state: InstanceState, reason?: string): void {
    this.state = state
    this.reason = reason
    for (const l of this.stateListeners) l()
  }
}
