/**
 * Worldbench's side of one Wasm host process: starts it, turns its stdout/stderr and protocol
 * messages into log lines and state, and answers start/stop/stats with promises.
 */
import { createInterface } from 'node:readline'
import type { ErrorShape, InstanceState, LogLine } from '../../../preload/api.ts'
import { WorldbenchError } from '../../core/errors.ts'
import { LogBuffer } from '../../core/log-buffer.ts'
import type { FromHost, HostConfig } from './protocol.ts'
import { type HostProcess, spawnHost } from './spawn-host.ts'

export interface HostStats {
  guestMemoryBytes: number
  requests: number
}

export class HostHandle {
  readonly process: HostProcess
  readonly logs = new LogBuffer(5000)
  state: InstanceState = 'starting'
  reason: string | undefined
  exitCode: number | undefined
  error: ErrorShape | undefined
  /** Last request-level errors (cgi), newest last. */
  readonly requestErrors: ErrorShape[] = []
  private readonly lineListeners = new Set<(l: LogLine) => void>()
  private readonly stateListeners = new Set<() => void>()
  private statsWaiters: ((s: HostStats) => void)[] = []
  readonly exited: Promise<void>

  constructor(process: HostProcess = spawnHost()) {
    this.process = process
    for (const stream of ['stdout', 'stderr'] as const) {
      createInterface({ input: this.process[stream], crlfDelay: Infinity }).on('line', (line) =>
        this.push({ t: Date.now(), stream, line }),
      )
    }
    this.process.onMessage((m) => this.onMessage(m))
    this.exited = new Promise((resolve) => {
      this.process.onExit((code, signal) => {
        if (this.state !== 'failed' && this.state !== 'stopped') {
          if (this.state === 'stopping' || code === 0) this.setState('stopped')
          else this.setState('failed', `the Wasm host process ended (${signal ?? `exit code ${code}`})`)
        }
        this.push({
          t: Date.now(),
          stream: 'system',
          line: `host process ${this.process.pid} exited (${signal ?? `code ${code}`})`,
        })
        for (const w of this.statsWaiters) w({ guestMemoryBytes: 0, requests: 0 })
        this.statsWaiters = []
        resolve()
      })
    })
  }

  /** Sends the workload and resolves with its URL once it serves (or, for command, once it runs). */
  start(config: HostConfig): Promise<{ url?: string; startMs: number }> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: FromHost) => {
        if (m.type === 'ready')
          resolve(m.url === undefined ? { startMs: m.startMs } : { url: m.url, startMs: m.startMs })
        else if (m.type === 'error' && m.fatal)
          reject(new WorldbenchError(m.error.code, m.error.message, m.error.hint, m.error.details))
      }
      this.process.onMessage(onMessage)
      void this.exited.then(() =>
        reject(
          new WorldbenchError(
            'WASM_HOST_EXITED',
            `The Wasm host for ${config.name} exited before it was ready${this.reason ? `: ${this.reason}` : ''}.`,
            'See the log lines of the instance.',
          ),
        ),
      )
      this.process.send({ type: 'start', config })
    })
  }

  stats(timeoutMs = 1000): Promise<HostStats> {
    if (this.state === 'stopped' || this.state === 'failed')
      return Promise.resolve({ guestMemoryBytes: 0, requests: 0 })
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ guestMemoryBytes: 0, requests: 0 }), timeoutMs)
      this.statsWaiters.push((s) => {
        clearTimeout(timer)
        resolve(s)
      })
      this.process.send({ type: 'stats' })
    })
  }

  /** Asks the host to stop, then kills it after the grace period. */
  async stop(graceMs: number): Promise<void> {
    if (this.state === 'stopped' || this.state === 'failed') return this.exited
    this.setState('stopping')
    this.process.send({ type: 'stop' })
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs)
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

  private push(line: LogLine): void {
    this.logs.push(line)
    for (const l of this.lineListeners) l(line)
  }

  private setState(state: InstanceState, reason?: string): void {
    this.state = state
    this.reason = reason
    for (const l of this.stateListeners) l()
  }

  private onMessage(m: FromHost): void {
    if (m.type === 'log') this.push(m.line)
    else if (m.type === 'ready') this.setState('running')
    else if (m.type === 'stats') {
      const waiters = this.statsWaiters
      this.statsWaiters = []
      for (const w of waiters) w({ guestMemoryBytes: m.guestMemoryBytes, requests: m.requests })
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
      } else {
        this.requestErrors.push(m.error)
        if (this.requestErrors.length > 50) this.requestErrors.shift()
      }
    }
  }
}
