/**
 * cgi mode (the WAGI model): an HTTP listener on 127.0.0.1 inside the host; every request
 * runs a fresh instance of the compiled module with CGI variables and the body on stdin, and
 * its stdout, parsed as a CGI response, is the answer. A failing request gets a 5xx and a log
 * line; the listener and the other requests go on.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { cgiEnv } from './cgi-env.ts'
import { parseCgiResponse } from './cgi-response.ts'
import { hostCollector } from './garbage-collector.ts'
import { guestPoolFor } from './guest-pool-for.ts'
import type { HostContext, Serving } from './host-context.ts'
import { http } from './node-http.ts'

const MAX_BODY_BYTES = 16 * 2 ** 20

export async function serveCgi(ctx: HostContext): Promise<Serving> {
  const { config } = ctx
  // The request's CGI variables (and the declared env) come with each job. One guest at a time
  // (the default CPU bound) runs on this thread: no thread to boot.
  const { pool, compileMs, cacheHit } = await guestPoolFor(ctx, {
    env: {},
    size: config.workers,
    inline: config.workers === 1,
  })
  ctx.mark(cacheHit ? 'cache hit' : 'compile')
  await pool.ready()
  let served = 0
  // Port 0 (any free port) becomes the one the listener got.
  let port = config.port ?? 0

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((err: unknown) =>
      fail(res, 500, `internal error: ${err instanceof Error ? err.message : String(err)}`),
    )
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req)
    if (!body) return fail(res, 413, `request body over ${MAX_BODY_BYTES} bytes`)
    const env = cgiEnv(
      {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        remoteAddr: req.socket.remoteAddress ?? '127.0.0.1',
        serverPort: port,
        bodyLength: body.length,
      },
      config.env,
    )
    const outcome = await pool.run({ mode: 'cgi', env, body })
    served++
    hostCollector.served()
    if (!outcome.ok) {
      ctx.send({ type: 'error', error: outcome.error, fatal: false })
      ctx.log(`${req.method} ${req.url}: ${outcome.error.message}`)
      return fail(
        res,
        outcome.error.code === 'WASM_TIMEOUT' ? 504 : 502,
        `${outcome.error.code}: ${outcome.error.message}`,
      )
    }
    const parsed = parseCgiResponse(outcome.stdout ?? new Uint8Array())
    if (!parsed.ok) {
      ctx.log(`${req.method} ${req.url}: bad CGI response: ${parsed.reason} (exit code ${outcome.exitCode})`)
      return fail(res, 502, `bad CGI response: ${parsed.reason}`)
    }
    if (outcome.exitCode !== 0)
      ctx.log(`${req.method} ${req.url}: the handler exited with code ${outcome.exitCode}`)
    const r = parsed.response
    res.statusCode = r.status
    if (r.statusText) res.statusMessage = r.statusText
    for (const [name, value] of r.headers) res.appendHeader(name, value)
    res.setHeader('content-length', r.body.length)
    res.end(r.body)
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  if (typeof address === 'object' && address) port = address.port
  ctx.send({ type: 'ready', url: `http://127.0.0.1:${port}/`, startMs: compileMs })
  return {
    stats: () => ({
      guestMemoryBytes: pool.liveMemoryBytes(),
      peakInstanceBytes: pool.tally.peakInstanceBytes,
      requests: served,
      guestCpuMs: pool.tally.guestCpuMs,
    }),
    stop: async () => {
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
      await pool.close()
    },
  }
}

function fail(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent) return void res.destroy()
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' })
  res.end(`${text}\n`)
}

async function readBody(req: IncomingMessage): Promise<Uint8Array | undefined> {
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length
    if (total > MAX_BODY_BYTES) return undefined
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}
