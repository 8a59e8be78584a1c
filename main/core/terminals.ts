import { randomBytes } from 'node:crypto'
import { WorldbenchError } from './errors.ts'
import type { EventBus } from './events.ts'
import type { Instance, Runtime, TerminalStream } from './runtime.ts'
import type { Workload } from './world/schema.ts'

const MAX_SESSIONS = 16
/** A session nobody typed into for this long is closed, so a tab closed without a goodbye leaves no shell. */
const IDLE_MS = 30 * 60_000

interface Session {
  stream: TerminalStream
  instanceId: string
  /** A fresh run of its own: it goes on when the instance's own run ends. */
  fresh: boolean
  idle: NodeJS.Timeout
}

/**
 * Open terminals into instances. Output goes out as `terminalOutput` events under a random session
 * id that only the opener was given; input, resize and close need that id.
 */
export class Terminals {
  private readonly sessions = new Map<string, Session>()
  private readonly bus: EventBus

  constructor(bus: EventBus) {
    this.bus = bus
  }

  async open(
    instance: Instance,
    runtime: Runtime,
    size: { cols: number; rows: number },
  ): Promise<{ session: string; title: string }> {
    if (instance.state !== 'running')
      throw new WorldbenchError(
        'NOT_RUNNING',
        `${instance.workload} is ${instance.state}: a terminal needs it running.`,
        'Start it, then open the terminal again.',
      )
    if (!runtime.terminal)
      throw new WorldbenchError(
        'NO_TERMINAL',
        `There is no terminal into ${instance.kind} workloads yet.`,
        'Read its logs on this page instead.',
      )
    this.checkRoom()
    return this.register(await runtime.terminal(instance, size), instance.id, false)
  }

  /** A terminal that is a fresh run of the workload (runtime.freshTerminal), running or not. */
  async openFresh(
    instanceId: string,
    runtime: Runtime,
    workload: Workload,
    size: { cols: number; rows: number },
  ): Promise<{ session: string; title: string }> {
    if (!runtime.freshTerminal) throw new Error(`${runtime.kind} runtimes have no freshTerminal()`)
    this.checkRoom()
    return this.register(await runtime.freshTerminal(workload, size), instanceId, true)
  }

  private checkRoom(): void {
    if (this.sessions.size >= MAX_SESSIONS)
      throw new WorldbenchError(
        'TOO_MANY_TERMINALS',
        `${MAX_SESSIONS} terminals are open already.`,
        'Close one (or a browser tab with one) first.',
      )
  }

  private register(
    stream: TerminalStream,
    instanceId: string,
    fresh: boolean,
  ): { session: string; title: string } {
    const session = randomBytes(16).toString('base64url')
    const s: Session = { stream, instanceId, fresh, idle: this.idleTimer(session) }
    this.sessions.set(session, s)
    stream.onData((data) => this.bus.emit('terminalOutput', { session, data }))
    stream.onExit((reason) => {
      if (!this.sessions.has(session)) return
      this.drop(session)
      this.bus.emit('terminalExit', { session, ...(reason !== undefined && { reason }) })
    })
    return { session, title: stream.title }
  }

  input(session: string, data: string): void {
    const s = this.get(session)
    s.idle.refresh()
    s.stream.write(data)
  }

  resize(session: string, cols: number, rows: number): Promise<void> {
    return this.get(session).stream.resize(cols, rows)
  }

  close(session: string): void {
    const s = this.sessions.get(session)
    if (!s) return
    this.drop(session)
    s.stream.close()
  }

  /** Every terminal into an instance that stops (a fresh run of its own goes on). */
  closeFor(instanceId: string): void {
    for (const [id, s] of this.sessions) if (s.instanceId === instanceId && !s.fresh) this.close(id)
  }

  closeAll(): void {
    for (const id of [...this.sessions.keys()]) this.close(id)
  }

  private drop(session: string): void {
    const s = this.sessions.get(session)
    if (s) clearTimeout(s.idle)
    this.sessions.delete(session)
  }

  private idleTimer(session: string): NodeJS.Timeout {
    return setTimeout(() => this.close(session), IDLE_MS).unref()
  }

  private get(session: string): Session {
    const s = this.sessions.get(session)
    if (!s)
      throw new WorldbenchError(
        'NO_SUCH_TERMINAL',
        'That terminal is closed.',
        'Open a new one: it ends when its shell exits, its instance stops, or after 30 idle minutes.',
      )
    return s
  }
}
