import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { connectControlSocket } from '../../main/transport/control-socket.ts'

/** A real `worldbench serve`, spawned the way a user runs it, with its own state dir (removed by stop). */
export interface ServeProcess {
  child: ChildProcess
  port: number
  token: string
  origin: string
  controlSocket: string
  /** The cookie a browser holds after opening the printed URL. */
  cookie: string
  stop(): Promise<void>
}

export async function startServe(): Promise<ServeProcess> {
  const home = mkdtempSync(join(tmpdir(), 'wb-serve-'))
  const child = spawn(process.execPath, ['bin/worldbench.mjs', 'serve', '--port', '0', '--json'], {
    env: { ...process.env, WORLDBENCH_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr!.on('data', (c) => (stderr += c))
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve)
    child.once('exit', (code) => reject(new Error(`worldbench serve exited with ${code}: ${stderr}`)))
  })
  const { url, origin, controlSocket } = JSON.parse(line) as {
    url: string
    origin: string
    controlSocket: string
  }
  const port = Number(new URL(origin).port)
  const token = new URL(url).searchParams.get('token')!
  return {
    child,
    port,
    token,
    origin,
    controlSocket,
    cookie: `worldbench_token_${port}=${token}`,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM')
        await new Promise((r) => child.once('exit', r))
      }
      rmSync(home, { recursive: true, force: true })
    },
  }
}

/** Writes raw bytes to 127.0.0.1:port and collects everything until the server closes (or `ms`). */
export function rawExchange(port: number, bytes: string | Buffer, ms = 15_000): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    const s = connect(port, '127.0.0.1', () => s.write(bytes))
    const done = () => {
      clearTimeout(timer)
      s.destroy()
      resolve(Buffer.concat(chunks))
    }
    const timer = setTimeout(done, ms)
    s.on('data', (c) => chunks.push(c))
    s.on('error', done)
    s.on('close', done)
  })
}

/** A raw HTTP/1.1 GET with this server's Host header; resolves with the status code (0: no answer). */
export async function rawGet(serve: ServeProcess, target: string, headers: string[] = []): Promise<number> {
  const head = [`GET ${target} HTTP/1.1`, `Host: 127.0.0.1:${serve.port}`, 'Connection: close', ...headers]
  const res = (await rawExchange(serve.port, `${head.join('\r\n')}\r\n\r\n`)).toString('latin1')
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(res)?.[1] ?? 0)
}

/** Opens a WebSocket by hand (so the test can then send frames no client library would). */
export function rawWebSocket(serve: ServeProcess): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(serve.port, '127.0.0.1', () =>
      s.write(
        [
          'GET /api HTTP/1.1',
          `Host: 127.0.0.1:${serve.port}`,
          `Cookie: ${serve.cookie}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
          'Sec-WebSocket-Version: 13',
          '',
          '',
        ].join('\r\n'),
      ),
    )
    s.once('data', (c) => {
      if (c.toString('latin1').startsWith('HTTP/1.1 101')) resolve(s)
      else reject(new Error(`upgrade refused: ${c.toString('latin1').split('\r\n')[0]}`))
    })
    s.once('error', reject)
  })
}

/** The close code in the first close frame the server sent on a raw socket, or undefined. */
export function closeCodeOf(frames: Buffer): number | undefined {
  let i = 0
  while (i + 2 <= frames.length) {
    const opcode = frames[i]! & 0x0f
    let len = frames[i + 1]! & 0x7f
    let at = i + 2
    if (len === 126) {
      len = frames.readUInt16BE(at)
      at += 2
    } else if (len === 127) {
      len = Number(frames.readBigUInt64BE(at))
      at += 8
    }
    if (opcode === 0x8) return len >= 2 ? frames.readUInt16BE(at) : 1005
    i = at + len
  }
  return undefined
}

/** True when the service still answers: a page over HTTP and a call over the control socket. */
export async function stillAnswers(serve: ServeProcess): Promise<boolean> {
  if (serve.child.exitCode !== null) return false
  const page = await rawGet(serve, '/', [`Cookie: ${serve.cookie}`])
  const control = await connectControlSocket(serve.controlSocket)
  if (!control) return false
  try {
    const settings = await control.client.getSettings()
    // 503 is the answer of a server whose renderer is not built: still an answer.
    return (page === 200 || page === 503) && typeof settings === 'object'
  } finally {
    control.close()
  }
}
