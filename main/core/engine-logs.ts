import type { LogLine } from '../../contract/api.ts'
import type { EventBus } from './events.ts'
import { logFailure } from './log.ts'
import type { Supervisor } from './supervisor.ts'

/**
 * Logs read straight from the engines, for a service that only looks (no owner runs): it follows
 * no instance and so holds no log buffer. Every follow ends when the service closes.
 */
export class EngineLogs {
  private readonly closing = new AbortController()
  private readonly supervisor: Supervisor
  private readonly bus: EventBus

  constructor(supervisor: Supervisor, bus: EventBus) {
    this.supervisor = supervisor
    this.bus = bus
  }

  async tail(id: string, tail: number): Promise<LogLine[]> {
    const m = this.supervisor.get(id)
    const lines: LogLine[] = []
    for await (const line of m.runtime.logs(m.instance, { tail, signal: this.closing.signal }))
      lines.push(line)
    return lines
  }

  /** The last `tail` lines and then every new one as log events, and logsEnded when the log ends. */
  follow(id: string, tail: number): void {
    const m = this.supervisor.get(id)
    void (async () => {
      try {
        for await (const line of m.runtime.logs(m.instance, {
          tail,
          follow: true,
          signal: this.closing.signal,
        }))
          this.bus.emit('log', { id, line })
      } catch (err) {
        logFailure('reading the log of an instance from its engine failed', err, { id })
      } finally {
        this.bus.emit('logsEnded', { id })
      }
    })()
  }

  close(): void {
    this.closing.abort()
  }
}
