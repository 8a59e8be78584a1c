/**
 * http mode: a component exporting wasi:http/incoming-handler, transpiled by jco (see
 * component-cache.ts) and served on 127.0.0.1 by preview2-shim's HTTP server. Capabilities are
 * set on the shim before the component loads: only declared env, args and directories, and
 * outgoing HTTP only to the origins in wasm.allowHttp.
 */
import { pathToFileURL } from 'node:url'
import { WorldbenchError } from '../../../core/errors.ts'
import type { HostContext, Serving } from './host-context.ts'
import { guardOutgoingHttp, type OutgoingHandlerLike } from './outgoing-http.ts'

// The Node builds of preview2-shim (TypeScript resolves its browser typings here).
interface ShimCli {
  _setEnv(env: Record<string, string>): void
  _setArgs(args: string[]): void
  _setCwd(cwd: string): void
}
interface ShimFilesystem {
  _setPreopens(preopens: Record<string, string>): void
}
interface ShimHttp {
  outgoingHandler: OutgoingHandlerLike
  HTTPServer: new (
    handler: unknown,
  ) => { listen(port: number, host: string): void; address(): unknown; stop(): void }
}

interface HttpComponent {
  incomingHandler?: { handle: (...args: unknown[]) => unknown }
}

export async function serveHttp(ctx: HostContext): Promise<Serving> {
  const { config } = ctx
  const cli = (await import('@bytecodealliance/preview2-shim/cli')) as unknown as ShimCli
  const fs = (await import('@bytecodealliance/preview2-shim/filesystem')) as unknown as ShimFilesystem
  const http = (await import('@bytecodealliance/preview2-shim/http')) as unknown as ShimHttp
  cli._setEnv(config.env)
  cli._setArgs([config.name, ...config.args])
  cli._setCwd('/')
  fs._setPreopens(Object.fromEntries(config.dirs.map((d) => [d.guest, d.host])))
  guardOutgoingHttp(http.outgoingHandler, config.allowHttp ?? [], ctx.log)
  if (config.dirs.some((d) => !d.writable))
    ctx.log('note: preview2-shim has no read-only preopens; in http mode declared directories are writable')

  const t0 = performance.now()
  const mod = (await import(pathToFileURL(config.file).href)) as HttpComponent
  ctx.mark('compile')
  if (typeof mod.incomingHandler?.handle !== 'function') {
    throw new WorldbenchError(
      'WASM_NOT_HTTP',
      `${config.name} does not export wasi:http/incoming-handler, so it cannot be served over HTTP.`,
      'Build the component for the wasi:http/proxy world, or serve it as a command.',
    )
  }
  const server = new http.HTTPServer(mod.incomingHandler)
  const port = config.port ?? 0
  server.listen(port, '127.0.0.1')
  const actual = (server.address() as { port?: number } | undefined)?.port ?? port
  ctx.send({ type: 'ready', url: `http://127.0.0.1:${actual}/`, startMs: performance.now() - t0 })
  return {
    stats: () => ({ guestMemoryBytes: 0, peakInstanceBytes: 0, requests: 0, guestCpuMs: 0 }),
    stop: async () => server.stop(),
  }
}
