/*
 * polyglot's JS part: a wasi:http/proxy component (jco componentize) that imports
 * example:text/shout and example:text/count (wit/text.wit). It knows nothing of C or Rust: the
 * host links those imports to the components named in the world file's wasm.link. GET /?text=… shouts the text (default "hello").
 */
import { letters } from 'example:text/count'
import { shout } from 'example:text/shout'
import { Fields, OutgoingBody, OutgoingResponse, ResponseOutparam } from 'wasi:http/types@0.2.12'

const encoder = new TextEncoder()

function textParam(pathWithQuery) {
  const at = pathWithQuery.indexOf('?')
  if (at < 0) return null
  return new URLSearchParams(pathWithQuery.slice(at + 1)).get('text')
}

export const incomingHandler = {
  handle(request, responseOutparam) {
    const text = textParam(request.pathWithQuery() ?? '/') ?? 'hello'
    const body = encoder.encode(
      `${text} from JS, shouted by C: ${shout(text)}, ${letters(text)} letters counted by Rust\n`,
    )
    const response = new OutgoingResponse(
      Fields.fromList([['content-type', encoder.encode('text/plain; charset=utf-8')]]),
    )
    response.setStatusCode(200)
    const outgoing = response.body()
    ResponseOutparam.set(responseOutparam, { tag: 'ok', val: response })
    const stream = outgoing.write()
    for (let at = 0; at < body.length; at += 4096) stream.blockingWriteAndFlush(body.subarray(at, at + 4096))
    stream[Symbol.dispose]()
    OutgoingBody.finish(outgoing, undefined)
  },
}
