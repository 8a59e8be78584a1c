/**
 * One Wasm host process as Worldbench sees it: the workloads it serves (one of its own, or many
 * of one world when shared), its stdout/stderr and protocol messages routed to each workload's
 * handle, stats gathered for all of them in one round trip, and its death reported to every
 * workload in it with the reason.
 */
import { createInterface } from 'node:readline'
import type { LogLine } from '../../../contract/api.ts'
import { processStats } from '../../core/metrics/process-stats.ts'
import { isProcessAlive } from '../../core/process-alive.ts'
import type { FromHost, ToHost, WorkloadStats } from './host/protocol.ts'
import { type HostReading, overheadCpu, totalGuestCpuMs } from './host-share.ts'
import { type HostProcess, spawnHost } from './spawn-host.ts'

const READING_REUSE_MS = 500

/** What the link tells each workload it carries (a HostHandle). */
export interface HostMember {
  readonly id: string
  hostExited(clean: boolean, reason: string): void
  push(line: LogLine): void
  onMessage(message: FromHost): void
}

export class HostLink {
  readonly process: HostProcess
  /** Serves one workload, and ends with it (isolation: process, command and http workloads). */
  readonly own: boolean
  private readonly members = new Map<string, HostMember>()
  private statsWaiters: ((s: Record<string, WorkloadStats>) => void)[] = []
  private lastReading: { at: number; value: Promise<HostReading | undefined> } | undefined
  private lastGuestCpu: { at: number; guestCpuMs: number } | undefined
  /** Set once the host is asked to end, or has ended: no new workload joins it. */
  closing = false
  readonly exited: Promise<void>

  constructor(own: boolean, process: HostProcess = spawnHost()) {
    this.own = own
    this.process = process
    for (const stream of ['stdout', 'stderr'] as const) {
      createInterface({ input: process[stream], crlfDelay: Infinity }).on('line', (line) =>
        this.toAll({ t: Date.now(), stream, line }),
      )
    }
    process.onMessage((m) => this.onMessage(m))
    this.exited = new Promise((resolve) => {
      process.onExit((code, signal) => {
        this.closing = true
        const how = signal ?? `exit code ${code}`
        const reason = this.own
          ? `the Wasm host process ended (${how})`
          : `the shared Wasm host process ${process.pid} of ${this.members.size} workload(s) ended (${how})`
        this.toAll({ t: Date.now(), stream: 'system', line: `host process ${process.pid} exited (${how})` })
        for (const w of this.statsWaiters) w({})
        this.statsWaiters = []
        for (const m of this.members.values()) m.hostExited(code === 0, reason)
        resolve()
      })
    })
  }

  get size(): number {
    return this.members.size
  }

  add(member: HostMember): void {
    this.members.set(member.id, member)
  }

  remove(id: string): void {
    this.members.delete(id)
  }

  send(m: ToHost): void {
    this.process.send(m)
  }

  /** Every workload's figures, in one request however many workloads ask at once. */
  stats(timeoutMs = 1000): Promise<Record<string, WorkloadStats>> {
    if (this.closing) return Promise.resolve({})
    return new Promise((resolve) => {
      const waiter = (s: Record<string, WorkloadStats>) => {
        clearTimeout(timer)
        resolve(s)
      }
      // A host that does not answer in time (busy with a guest) gets asked afresh next time.
      const timer = setTimeout(() => {
        this.statsWaiters = this.statsWaiters.filter((w) => w !== waiter)
        resolve({})
      }, timeoutMs)
      if (this.statsWaiters.length === 0) this.send({ type: 'stats' })
      this.statsWaiters.push(waiter)
    })
  }

  /**
   * The process's memory and CPU with every workload's figures. The sampler asks once per
   * workload each tick: they share one reading (a CPU % over a few ms would be noise).
   */
  reading(): Promise<HostReading | undefined> {
    // A killed host (a zombie until its exit event is handled) has no reading: not a zero one, nor its last.
    const pid = this.process.pid
    if (pid === undefined || !isProcessAlive(pid)) return Promise.resolve(undefined)
    const now = performance.now()
    if (this.lastReading && now - this.lastReading.at < READING_REUSE_MS) return this.lastReading.value
    const value = this.read(now)
    this.lastReading = { at: now, value }
    return value
  }

  private async read(at: number): Promise<HostReading | undefined> {
    const pid = this.process.pid
    if (pid === undefined || this.closing) return undefined
    const [ps, workloads] = await Promise.all([processStats(pid).catch(() => undefined), this.stats()])
    if (!ps) return undefined
    const guestCpuMs = totalGuestCpuMs(workloads)
    const overheadCpuPercent = overheadCpu(ps.cpuPercent, guestCpuMs, this.lastGuestCpu, at)
    this.lastGuestCpu = { at, guestCpuMs }
    return { pid, at, process: ps, workloads, overheadCpuPercent }
  }

  /** Asks the whole host to end, then kills it after the grace period. */
  async close(graceMs: number): Promise<void> {
    this.closing = true
    this.send({ type: 'stop' })
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs)
    await this.exited
    clearTimeout(timer)
  }

  private toAll(line: LogLine): void {
    for (const m of this.members.values()) m.push(line)
  }

  private onMessage(m: FromHost): void {
    if (m.type === 'stats') {
      const waiters = this.statsWaiters
      this.statsWaiters = []
      for (const w of waiters) w(m.workloads)
    } else if (m.type === 'log' && m.id === undefined) this.toAll(m.line)
    else if (m.id !== undefined) this.members.get(m.id)?.onMessage(m)
  }
}
