import { createReadStream, existsSync, statSync } from 'node:fs'
import type { ServerResponse } from 'node:http'
import { extname, join, normalize, sep } from 'node:path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
}

/** Serves a file of the built renderer; paths outside `root` never resolve. SPA routes get index.html. */
export function serveStatic(
  root: string,
  urlPath: string,
  res: ServerResponse,
  headers: Record<string, string>,
): void {
  const decoded = decodePath(urlPath)
  if (decoded === undefined) {
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('Malformed path encoding.\n')
    return
  }
  const clean = normalize(decoded).replace(/^([/\\])+/, '')
  let file = join(root, clean)
  if (!file.startsWith(root + sep) && file !== root) {
    res.writeHead(404).end()
    return
  }
  if (!existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html')
  if (!existsSync(file)) {
    res
      .writeHead(503, { 'content-type': 'text/plain' })
      .end('The renderer is not built yet: run "npm run build".\n')
    return
  }
  res.writeHead(200, { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res)
}

/** The path with %-escapes decoded, or undefined for a bad escape, overlong UTF-8 or a NUL byte. */
function decodePath(urlPath: string): string | undefined {
  try {
    const decoded = decodeURIComponent(urlPath)
    return decoded.includes('\0') ? undefined : decoded
  } catch {
    return undefined
  }
}
