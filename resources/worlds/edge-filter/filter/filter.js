/*
 * edge-filter: a request filter built as a wasi:http/proxy component (jco componentize).
 * Requests with an `x-block` header or a path under /admin get 403; everything else gets 200
 * with a body naming the filter, so a test can tell who answered.
 */
import { Fields, OutgoingBody, OutgoingResponse, ResponseOutparam } from 'wasi:http/types@0.2.12'

const FILTER_NAME = 'edge-filter'
const encoder = new TextEncoder()

function blockReason(path, headerNames) {
  if (headerNames.includes('x-block')) return 'x-block header'
  if (path === '/admin' || path.startsWith('/admin/')) return 'path under /admin'
  return null
}

function respond(responseOutparam, status, text) {
  const headers = Fields.fromList([
    ['content-type', encoder.encode('text/plain')],
    ['x-filter', encoder.encode(FILTER_NAME)],
  ])
  const response = new OutgoingResponse(headers)
  response.setStatusCode(status)
  const body = response.body()
  ResponseOutparam.set(responseOutparam, { tag: 'ok', val: response })
  const stream = body.write()
  stream.blockingWriteAndFlush(encoder.encode(text))
  stream[Symbol.dispose]()
  OutgoingBody.finish(body, undefined)
}

export const incomingHandler = {
  handle(request, responseOutparam) {
    const pathWithQuery = request.pathWithQuery() ?? '/'
    const path = pathWithQuery.split('?')[0]
    const headerNames = request.headers().entries().map(([name]) => name.toLowerCase())
    const reason = blockReason(path, headerNames)
    if (reason) respond(responseOutparam, 403, `${FILTER_NAME}: blocked (${reason})\n`)
    else respond(responseOutparam, 200, `${FILTER_NAME}: allowed ${path}\n`)
  },
}
