import { EventEmitter } from 'node:events'
import { connect, type Socket } from 'node:net'
import { WorldbenchError } from '../../core/errors.ts'
import { logFailure } from '../../core/log.ts'

/**
 * A small client for the QEMU Machine Protocol: newline-delimited JSON over a socket.
 * (npm's only candidate, qemu-qmp 0.5.0, is untyped and depends on `split@*`; this is ~150 lines.)
 *
 * Events: 'event' with every QmpEvent, plus one emit per event name ('SHUTDOWN', 'STOP',
 * 'RESET', 'POWERDOWN', …) with the same object; 'close' when the socket ends.
 */

export interface QmpGreeting {
  version: { qemu: { major: number; minor: number; micro: number }; package: string }
  capabilities: string[]
}

export interface QmpEvent {
  event: string
  data?: Record<string, unknown>
  timestamp: { seconds: number; microseconds: number }
}

/** A unix socket path, or "tcp:HOST:PORT" (QEMU on Windows). */
export type QmpAddress = string

interface Pending {
  resolve: (v: unknown) => void
  reject: (e: Error) => void
  command: string
}

export class QmpClient extends EventEmitter {
  readonly greeting: QmpGreeting
  private readonly socket: Socket
  private readonly pending = new Map<string, Pending>()
  private nextId = 1
  private closed = false
  private buffer = ''

  private constructor(socket: Socket, greeting: QmpGreeting, rest: string) {
    super()
    this.socket = socket
    this.greeting = greeting
    socket.on('data', (chunk: Buffer) => this.feed(chunk.toString('utf8')))
    // QEMU often resets the connection as it exits after "quit"; that is just a close.
    socket.on('error', () => {})
    socket.on('close', () => this.onClose())
    this.feed(rest)
  }

  /** Connects, reads the greeting and negotiates capabilities. */
  static async connect(address: QmpAddress, opts: { timeoutMs?: number } = {}): Promise<QmpClient> {
    const timeoutMs = opts.timeoutMs ?? 5000
    const socket = openSocket(address)
    const { greeting, rest } = await readGreeting(socket, address, timeoutMs)
    const client = new QmpClient(socket, greeting, rest)
    await client.execute('qmp_capabilities')
    return client
  }

  get isClosed(): boolean {
    return this.closed
  }

  /** Runs one command; resolves with its "return" value, rejects with QMP_ERROR on an "error" reply. */
  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    if (this.closed) return Promise.reject(qmpClosed(command))
    const id = `wb-${this.nextId++}`
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, command })
      const msg = args ? { execute: command, arguments: args, id } : { execute: command, id }
      this.socket.write(`${JSON.stringify(msg)}\n`)
    })
  }

  /** Resolves when the named event arrives (or rejects after timeoutMs / on close). */
  waitForEvent(name: string, timeoutMs: number): Promise<QmpEvent> {
    return new Promise((resolve, reject) => {
      const done = (err?: Error, ev?: QmpEvent) => {
        clearTimeout(timer)
        this.off(name, onEvent)
        this.off('close', onClose)
        if (err) reject(err)
        else resolve(ev!)
      }
      const onEvent = (ev: QmpEvent) => done(undefined, ev)
      const onClose = () => done(qmpClosed(`waiting for ${name}`))
      const timer = setTimeout(
        () => done(new WorldbenchError('QMP_TIMEOUT', `QEMU sent no ${name} event within ${timeoutMs} ms.`)),
        timeoutMs,
      )
      this.on(name, onEvent)
      this.once('close', onClose)
    })
  }

  close(): void {
    this.socket.destroy()
  }

  private feed(text: string): void {
    this.buffer += text
    const lines = this.buffer.split('\n')
    this.buffer = lines.pop() ?? ''
    for (const line of lines) if (line.trim()) this.onMessage(line.trim())
  }

  private onMessage(line: string): void {
    let msg: Record<string, unknown>
    try {
      msg = JSON.parse(line) as Record<string, unknown>
    } catch (err) {
      logFailure('reading a QMP message', err, { line: line.slice(0, 200) })
      return
    }
    if (typeof msg.event === 'string') {
      const ev = msg as unknown as QmpEvent
      this.emit('event', ev)
      this.emit(ev.event, ev)
      return
    }
    const id = typeof msg.id === 'string' ? msg.id : undefined
    const waiter = id ? this.pending.get(id) : undefined
    if (!waiter || !id) return
    this.pending.delete(id)
    if ('return' in msg) waiter.resolve(msg.return)
    else {
      const err = (msg.error ?? {}) as { class?: string; desc?: string }
      waiter.reject(
        new WorldbenchError(
          'QMP_ERROR',
          `QEMU refused "${waiter.command}": ${err.desc ?? 'unknown error'}`,
          undefined,
          { class: err.class },
        ),
      )
    }
  }

  private onClose(): void {
    if (this.closed) return
    this.closed = true
    for (const [, p] of this.pending) p.reject(qmpClosed(p.command))
    this.pending.clear()
    this.emit('close')
  }
}

function openSocket(address: QmpAddress): Socket {
  const tcp = /^tcp:(.+):(\d+)$/.exec(address)
  return tcp ? connect({ host: tcp[1]!, port: Number(tcp[2]) }) : connect({ path: address })
}

function readGreeting(
  socket: Socket,
  address: string,
  timeoutMs: number,
): Promise<{ greeting: QmpGreeting; rest: string }> {
  return new Promise((resolve, reject) => {
    let buffer = ''
    const fail = (err: Error) => {
      cleanup()
      socket.destroy()
      reject(err)
    }
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('utf8')
      const nl = buffer.indexOf('\n')
      if (nl < 0) return
      try {
        const msg = JSON.parse(buffer.slice(0, nl)) as { QMP?: QmpGreeting }
        if (!msg.QMP) throw new Error('no QMP greeting')
        cleanup()
        resolve({ greeting: msg.QMP, rest: buffer.slice(nl + 1) })
      } catch {
        fail(
          new WorldbenchError(
            'QMP_PROTOCOL',
            `${address} does not speak QMP.`,
            'Is this really a QEMU monitor socket?',
          ),
        )
      }
    }
    const onError = (err: NodeJS.ErrnoException) =>
      fail(
        new WorldbenchError(
          'QMP_CONNECT',
          `Cannot connect to the QEMU monitor at ${address}: ${err.code ?? err.message}.`,
          'The VM may have exited.',
        ),
      )
    const onClose = () =>
      fail(
        new WorldbenchError(
          'QMP_CONNECT',
          `The QEMU monitor at ${address} closed before greeting.`,
          'The VM may have exited.',
        ),
      )
    const timer = setTimeout(
      () =>
        fail(new WorldbenchError('QMP_TIMEOUT', `No QMP greeting from ${address} within ${timeoutMs} ms.`)),
      timeoutMs,
    )
    const cleanup = () => {
      clearTimeout(timer)
      socket.off('data', onData)
      socket.off('error', onError)
      socket.off('close', onClose)
    }
    socket.on('data', onData)
    socket.on('error', onError)
    socket.on('close', onClose)
  })
}

function qmpClosed(command: string): WorldbenchError {
  return new WorldbenchError(
    'QMP_CLOSED',
    `The QEMU monitor closed before answering "${command}".`,
    'The VM has exited.',
  )
}
