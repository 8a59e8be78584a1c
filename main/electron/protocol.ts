import { join, normalize, sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import { net, protocol } from 'electron'
import { CONTENT_SECURITY_POLICY } from '../server.ts'

export const APP_SCHEME = 'app'
export const APP_ORIGIN = 'app://worldbench'

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ])
}

/** Serves the built renderer on app://worldbench/ with the same CSP as web mode. */
export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url)
    const rel = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '') || 'index.html'
    const file = join(rendererDir, rel)
    if (url.host !== 'worldbench' || !file.startsWith(rendererDir + sep))
      return new Response('Not found', { status: 404 })
    const res = await net
      .fetch(pathToFileURL(file).toString())
      .catch(() => net.fetch(pathToFileURL(join(rendererDir, 'index.html')).toString()))
    const headers = new Headers(res.headers)
    headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY)
    return new Response(res.body, { status: res.status, headers })
  })
}
