import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { join } from 'node:path'
import { WebSocketServer } from 'ws'
import type { Handlers } from '../contract/api.ts'
import { WorldbenchError } from './core/errors.ts'
import type { EventBus } from './core/events.ts'
import { logFailure } from './core/log.ts'
import { projectRoot } from './core/paths.ts'
import { MAX_QUEUED_BYTES } from './transport/limits.ts'
import { openSession } from './transport/session.ts'
import { serveStatic } from './transport/static-files.ts'

export interface WebServerOptions {
  handlers: Handlers
  bus: EventBus
  host?: string
  port?: number
  token?: string
  rendererDir?: string
}

export interface WebServer {
  server: Server
  url: string
  origin: string
  token: string
  close(): Promise<void>
}

/** The CSP of every page: only our own scripts and styles, and a WebSocket back to us. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

/**
 * Web mode: the built renderer over HTTP and the contract over a WebSocket, bound to 127.0.0.1
 * behind a random token. Requests without the token (401), with a foreign Origin (403) or with a
 * Host header that is not this server's own (403, DNS rebinding) are refused.
 */
export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const host = opts.host ?? '127.0.0.1'
  const token = opts.token ?? randomBytes(24).toString('base64url')
  const rendererDir = opts.rendererDir ?? join(projectRoot(), 'out', 'renderer')
  let allowedHosts = new Set<string>()
  let origin = ''
  // The port is in the name: cookies ignore ports, so two servers on one host would clobber one.
  let cookie = 'worldbench_token'

  const check = (req: IncomingMessage, url: URL): { status: number; why: string } | undefined => {
    if (!allowedHosts.has(req.headers.host ?? ''))
      return { status: 403, why: 'Host header is not this server (DNS rebinding protection).' }
    const reqOrigin = req.headers.origin
    if (reqOrigin !== undefined && !allowedHosts.has(reqOrigin.replace(/^http:\/\//, '')))
      return { status: 403, why: 'Foreign Origin.' }
    const given = url.searchParams.get('token') ?? cookieToken(req, cookie)
    if (!given || !sameToken(given, token))
      return { status: 401, why: 'Missing or wrong token: open the URL that "worldbench serve" printed.' }
    return undefined
  }

  const server = createServer((req, res) => {
    try {
      handle(req, res)
    } catch (err) {
      logFailure('an HTTP request failed inside the server', err, { url: req.url?.slice(0, 200) })
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
      res.end('Internal error.\n')
    }
  })
  // A client that trickles its request (slowloris) is cut off; no request here needs longer.
  server.headersTimeout = 10_000
  server.requestTimeout = 30_000
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = requestUrl(req)
    if (!url) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('Malformed request URL.\n')
      return
    }
    const refused = check(req, url)
    if (refused) {
      res.writeHead(refused.status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${refused.why}\n`)
      return
    }
    const headers: Record<string, string> = {
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    }
    if (url.searchParams.has('token')) {
      // Trade the token in the URL for a same-site cookie, so it does not linger in history.
      res
        .writeHead(303, {
          ...headers,
          location: url.pathname.replace(/^\/+/, '/'), // never //other-host
          'set-cookie': `${cookie}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        })
        .end()
      return
    }
    serveStatic(rendererDir, url.pathname, res, headers)
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 })
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy())
    const url = requestUrl(req)
    const refused = !url
      ? { status: 400, why: 'Malformed request URL.' }
      : url.pathname === '/api'
        ? check(req, url)
        : { status: 404, why: 'Not found.' }
    if (refused) {
      socket.end(
        `HTTP/1.1 ${refused.status} Refused\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${refused.why}\n`,
      )
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const session = openSession(
        opts.handlers,
        opts.bus,
        (msg) => {
          if (ws.readyState !== ws.OPEN) return
          if (ws.bufferedAmount > MAX_QUEUED_BYTES) ws.terminate()
          else ws.send(JSON.stringify(msg))
        },
        () => ws.close(1009, 'Message too large'),
        'web',
      )
      ws.on('message', (data) => void session.receive(data.toString()))
      ws.on('close', session.close)
      // Oversize messages (1009), invalid UTF-8 (1007) and bad frames (1002) arrive here; ws has
      // already answered with that close code and is closing. Without a listener they would throw.
      ws.on('error', () => {})
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new WorldbenchError(
              'PORT_IN_USE',
              `Port ${host}:${opts.port} is already in use.`,
              'Pick another with --port, or 0 for any free port.',
            )
          : err,
      ),
    )
    server.listen(opts.port ?? 0, host, () => resolve())
  })
  const addr = server.address()
  const port = typeof addr === 'object' && addr ? addr.port : 0
  const shownHost = host.includes(':') ? `[${host}]` : host
  origin = `http://${shownHost}:${port}`
  cookie = `worldbench_token_${port}`
  allowedHosts = new Set([
    `${shownHost}:${port}`,
    ...(host === '127.0.0.1' || host === '::1' ? [`localhost:${port}`] : []),
  ])
  return {
    server,
    origin,
    token,
    url: `${origin}/?token=${token}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate()
        wss.close()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function cookieToken(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, v] = part.trim().split('=')
    if (k === name && v) return v
  }
  return undefined
}

/**
 * The request target as a URL, or undefined when it is not a path. Joined to the base as text, so
 * "//host/x" stays a path instead of becoming another host, and "//[" is refused instead of thrown.
 */
function requestUrl(req: IncomingMessage): URL | undefined {
  const target = req.url ?? '/'
  if (!target.startsWith('/')) return undefined
  try {
    return new URL(`http://placeholder${target}`)
  } catch {
    return undefined
  }
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}
