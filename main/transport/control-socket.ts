import { chmodSync, existsSync, rmSync } from 'node:fs'
import { createConnection, createServer, type Server, type Socket } from 'node:net'
import { userInfo } from 'node:os'
import { join } from 'node:path'
import type { Handlers, WireEvent, WireRequest, WireResponse } from '../../contract/api.ts'
import { isErrnoCode, WorldbenchError } from '../core/errors.ts'
import type { EventBus } from '../core/events.ts'
import { stateDir } from '../core/paths.ts'
import { MAX_MESSAGE_BYTES, MAX_QUEUED_BYTES } from './limits.ts'

// The session (a server's side) and the RPC client (a client's side) load the contract's schemas:
// each is imported when its side is needed, so a CLI that finds no service never loads them.

/** Where the running service listens: a unix socket in the state dir, or a per-user named pipe. */
export function controlSocketPath(): string {
  if (process.platform === 'win32') return `\\\\.\\pipe\\worldbench-${userInfo().username}`
  return join(stateDir(), 'control.sock')
}

/**
 * Newline-delimited JSON over a stream socket. A line longer than `maxLine` is never buffered
 * whole: `onOverflow` is called once and the rest of the stream ignored.
 */
function lines(
  socket: Socket,
  onLine: (line: string) => void,
  maxLine = Number.POSITIVE_INFINITY,
  onOverflow = () => {},
): void {
  let buffer = ''
  let overflowed = false
  socket.setEncoding('utf8')
  socket.on('data', (chunk: string) => {
    if (overflowed) return
    buffer += chunk
    let nl = buffer.indexOf('\n')
    while (nl >= 0) {
      const line = buffer.slice(0, nl)
      buffer = buffer.slice(nl + 1)
      if (line.trim()) onLine(line)
      nl = buffer.indexOf('\n')
    }
    if (buffer.length > maxLine) {
      overflowed = true
      buffer = ''
      onOverflow()
    }
  })
}

/** Serves the contract on the control socket, readable only by this user. */
export async function listenControlSocket(
  handlers: Handlers,
  bus: EventBus,
  path = controlSocketPath(),
): Promise<Server> {
  if (process.platform !== 'win32' && existsSync(path)) {
    if (await isServiceListening(path)) {
      throw new WorldbenchError(
        'ALREADY_RUNNING',
        `Another Worldbench service is already running (control socket ${path}).`,
        'Use that one (the CLI talks to it), or stop it first.',
      )
    }
    rmSync(path, { force: true })
  }
  const { openSession } = await import('./session.ts')
  const server = createServer((socket) => {
    const drop = () => socket.end()
    const session = openSession(
      handlers,
      bus,
      (msg) => {
        if (socket.destroyed) return
        if (socket.writableLength > MAX_QUEUED_BYTES) socket.destroy()
        else socket.write(`${JSON.stringify(msg)}\n`)
      },
      drop,
      'control',
    )
    lines(socket, (line) => void session.receive(line), MAX_MESSAGE_BYTES, session.tooLarge)
    socket.on('close', session.close)
    socket.on('error', () => socket.destroy())
  })
  const previousMask = process.platform === 'win32' ? undefined : process.umask(0o177)
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(path, () => resolve())
    })
  } finally {
    if (previousMask !== undefined) process.umask(previousMask)
  }
  if (process.platform !== 'win32') chmodSync(path, 0o600)
  return server
}

function isServiceListening(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection(path)
    s.once('connect', () => {
      s.destroy()
      resolve(true)
    })
    s.once('error', () => resolve(false))
  })
}

/** Connects the CLI to a running service, or resolves undefined when none is running. */
export async function connectControlSocket(path = controlSocketPath()) {
  const socket = await new Promise<Socket | undefined>((resolve, reject) => {
    const s = createConnection(path)
    s.once('connect', () => resolve(s))
    s.once('error', (err) => {
      if (isErrnoCode(err, 'ENOENT') || isErrnoCode(err, 'ECONNREFUSED')) resolve(undefined)
      else reject(err)
    })
  })
  if (!socket) return undefined
  const { createRpcClient } = await import('../../contract/rpc-client.ts')
  const client = createRpcClient({
    send: (msg: WireRequest) => socket.write(`${JSON.stringify(msg)}\n`),
    onMessage: (receive) => lines(socket, (line) => receive(JSON.parse(line) as WireResponse | WireEvent)),
    onClose: (closed) =>
      socket.on('close', () =>
        closed(
          new WorldbenchError(
            'SERVICE_GONE',
            'The Worldbench service closed the connection.',
            'Is it still running? Check the desktop app or `worldbench serve`.',
          ),
        ),
      ),
  })
  return { client, close: () => socket.end() }
}
