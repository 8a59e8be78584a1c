/*
 * edge-filter: a request filter in front of a backend, built as a wasi:http/proxy component
 * (jco componentize). Requests with an `x-block` header or a path under /admin get 403 from the
 * filter itself (judged on the normalised path, which is also what is forwarded); every other request is forwarded to BACKEND_URL (from the environment) through
 * wasi:http/outgoing-handler, and the backend's status, content type and body are relayed.
 * With no BACKEND_URL it answers allowed requests itself: 200 "edge-filter: allowed <path>".
 */
import { getEnvironment } from 'wasi:cli/environment@0.2.12'
import { handle as sendRequest } from 'wasi:http/outgoing-handler@0.2.12'
import {
  Fields,
  OutgoingBody,
  OutgoingRequest,
  OutgoingResponse,
  ResponseOutparam,
} from 'wasi:http/types@0.2.12'

const FILTER_NAME = 'edge-filter'
const RELAYED_HEADERS = ['content-type', 'last-modified', 'etag']
const encoder = new TextEncoder()

/*
 * The path the backend will act on: percent-decoded, backslashes and repeated slashes folded,
 * dot segments resolved. Filtering the raw path would let "//admin", "/x/../admin" or
 * "/%61dmin" through to a backend that normalises them itself.
 */
function canonicalPath(rawPath) {
  let path = rawPath
  for (let i = 0; i < 3; i++) {
    let decoded
    try {
      decoded = decodeURIComponent(path)
    } catch {
      return null
    }
    if (decoded === path) break
    path = decoded
  }
  path = `/${path}`.replace(/\\/g, '/').replace(/\/{2,}/g, '/')
  return new URL(path, 'http://filter.invalid').pathname
}

function blockReason(path, headerNames) {
  if (headerNames.includes('x-block')) return 'x-block header'
  if (path === null) return 'malformed path'
  const lower = path.toLowerCase()
  if (lower === '/admin' || lower.startsWith('/admin/')) return 'path under /admin'
  return null
}

function backendUrl() {
  const found = getEnvironment().find(([name]) => name === 'BACKEND_URL')
  return found ? new URL(found[1]) : null
}

// Nested results come as { tag, val } objects (only a top-level result is unwrapped).
function unwrap(result, what) {
  if (
    result &&
    typeof result === 'object' &&
    'tag' in result &&
    (result.tag === 'ok' || result.tag === 'err')
  ) {
    if (result.tag === 'err') throw new Error(`${what}: ${JSON.stringify(result.val)}`)
    return result.val
  }
  return result
}

function respond(responseOutparam, status, headerEntries, bytes) {
  const headers = Fields.fromList([...headerEntries, ['x-filter', encoder.encode(FILTER_NAME)]])
  const response = new OutgoingResponse(headers)
  response.setStatusCode(status)
  const body = response.body()
  ResponseOutparam.set(responseOutparam, { tag: 'ok', val: response })
  const stream = body.write()
  // blocking-write-and-flush takes at most 4096 bytes at a time.
  for (let at = 0; at < bytes.length; at += 4096) stream.blockingWriteAndFlush(bytes.subarray(at, at + 4096))
  stream[Symbol.dispose]()
  OutgoingBody.finish(body, undefined)
}

const text = (responseOutparam, status, message) =>
  respond(responseOutparam, status, [['content-type', encoder.encode('text/plain')]], encoder.encode(message))

function readAll(stream) {
  const chunks = []
  let size = 0
  for (;;) {
    let chunk
    try {
      chunk = stream.blockingRead(65536n)
    } catch (e) {
      if (e?.payload?.tag === 'closed' || e?.tag === 'closed') break
      throw e
    }
    chunks.push(chunk)
    size += chunk.length
  }
  const all = new Uint8Array(size)
  let at = 0
  for (const c of chunks) {
    all.set(c, at)
    at += c.length
  }
  return all
}

function forward(request, path, query, backend, responseOutparam) {
  const outgoing = new OutgoingRequest(new Fields())
  outgoing.setMethod(request.method())
  outgoing.setScheme({ tag: backend.protocol === 'https:' ? 'HTTPS' : 'HTTP' })
  outgoing.setAuthority(backend.host)
  outgoing.setPathWithQuery(query === undefined ? path : `${path}?${query}`)
  OutgoingBody.finish(outgoing.body(), undefined)
  const future = sendRequest(outgoing, undefined)
  future.subscribe().block()
  const response = unwrap(unwrap(future.get(), 'backend request'), 'backend response')
  const status = response.status()
  const headers = response
    .headers()
    .entries()
    .filter(([name]) => RELAYED_HEADERS.includes(name.toLowerCase()))
  const incoming = response.consume()
  const bytes = readAll(incoming.stream())
  respond(responseOutparam, status, headers, bytes)
}

export const incomingHandler = {
  handle(request, responseOutparam) {
    const pathWithQuery = request.pathWithQuery() ?? '/'
    const at = pathWithQuery.indexOf('?')
    const path = canonicalPath(at < 0 ? pathWithQuery : pathWithQuery.slice(0, at))
    const query = at < 0 ? undefined : pathWithQuery.slice(at + 1)
    const headerNames = request
      .headers()
      .entries()
      .map(([name]) => name.toLowerCase())
    const reason = blockReason(path, headerNames)
    if (reason) return text(responseOutparam, 403, `${FILTER_NAME}: blocked (${reason})\n`)
    const backend = backendUrl()
    // Without a backend (the component served on its own) the filter answers what it allows itself.
    if (!backend) return text(responseOutparam, 200, `${FILTER_NAME}: allowed ${path}\n`)
    try {
      forward(request, path, query, backend, responseOutparam)
    } catch (e) {
      // A refused or failed wasi:http call throws its error-code as e.payload.
      const why = e?.payload ? JSON.stringify(e.payload) : (e?.message ?? String(e))
      text(responseOutparam, 502, `${FILTER_NAME}: backend ${backend.origin} failed: ${why}\n`)
    }
  },
}
