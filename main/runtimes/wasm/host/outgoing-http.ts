/**
 * Outgoing HTTP of a component (wasi:http/outgoing-handler): denied unless the workload declares
 * the origin in wasm.allowHttp. The guard wraps preview2-shim's handler before the component is
 * loaded (jco's output reads `outgoingHandler.handle` once, at import), and logs each refusal.
 */

interface OutgoingRequestLike {
  scheme(): { tag: string; val?: string } | undefined
  authority(): string | undefined
  pathWithQuery(): string | undefined
}

export interface OutgoingHandlerLike {
  handle: (request: OutgoingRequestLike, options?: unknown) => unknown
}

/** scheme://authority of a request as the guest built it; https when the guest gave no scheme, as the shim does. */
export function requestOrigin(request: OutgoingRequestLike): string {
  const scheme = request.scheme()
  const name = !scheme
    ? 'https'
    : scheme.tag === 'other'
      ? (scheme.val ?? '').toLowerCase()
      : scheme.tag.toLowerCase()
  return `${name}://${request.authority() ?? ''}`
}

/** Normalises declared origins ("http://127.0.0.1:18480/" → "http://127.0.0.1:18480"). */
export function normaliseOrigins(origins: string[], log: (line: string) => void = () => {}): Set<string> {
  const out = new Set<string>()
  for (const o of origins) {
    // e.g. a ${workloads.NAME.url} left unresolved because the workload was started outside a world
    if (URL.canParse(o)) out.add(new URL(o).origin)
    else log(`note: wasm.allowHttp entry "${o}" is not a URL; it allows nothing`)
  }
  return out
}

export function guardOutgoingHttp(
  handler: OutgoingHandlerLike,
  allowed: string[],
  log: (line: string) => void,
): void {
  const origins = normaliseOrigins(allowed, log)
  const inner = handler.handle.bind(handler)
  handler.handle = (request, options) => {
    const origin = requestOrigin(request)
    let normal = origin
    try {
      normal = new URL(origin).origin
    } catch {
      // not a URL at all: refused below
    }
    if (!origins.has(normal)) {
      log(
        `denied: outgoing HTTP to ${origin}${request.pathWithQuery() ?? ''} (not in wasm.allowHttp${origins.size ? `: ${[...origins].join(', ')}` : ', which is empty'})`,
      )
      throw { tag: 'HTTP-request-denied' }
    }
    return inner(request, options)
  }
}
