/**
 * Parses what a CGI program writes to stdout (RFC 3875 §6): header lines, a blank line, then
 * the body. `Status: 404 Not Found` sets the status; a `Location` alone means 302.
 */
export interface CgiResponse {
  status: number
  statusText?: string
  headers: [string, string][]
  body: Uint8Array
}

export type CgiParse = { ok: true; response: CgiResponse } | { ok: false; reason: string }

function headerEnd(out: Uint8Array): { end: number; bodyStart: number } | undefined {
  for (let i = 0; i < out.length; i++) {
    if (out[i] !== 0x0a) continue
    if (out[i + 1] === 0x0a) return { end: i, bodyStart: i + 2 }
    if (out[i + 1] === 0x0d && out[i + 2] === 0x0a) return { end: i, bodyStart: i + 3 }
  }
  return undefined
}

export function parseCgiResponse(out: Uint8Array): CgiParse {
  const split = headerEnd(out)
  if (!split)
    return { ok: false, reason: 'the program wrote no header section (no blank line after the headers)' }
  const text = new TextDecoder('latin1').decode(out.subarray(0, split.end))
  const headers: [string, string][] = []
  let status: number | undefined
  let statusText: string | undefined
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '')
    if (line === '') continue
    const colon = line.indexOf(':')
    if (colon <= 0) return { ok: false, reason: `malformed header line "${line.slice(0, 80)}"` }
    const name = line.slice(0, colon).trim()
    const value = line.slice(colon + 1).trim()
    if (name.toLowerCase() === 'status') {
      const m = /^(\d{3})(?:\s+(.*))?$/.exec(value)
      if (!m) return { ok: false, reason: `malformed Status header "${value}"` }
      status = Number(m[1])
      if (m[2]) statusText = m[2]
      continue
    }
    headers.push([name, value])
  }
  if (headers.length === 0 && status === undefined)
    return { ok: false, reason: 'the program wrote no CGI headers' }
  if (status === undefined) status = headers.some(([n]) => n.toLowerCase() === 'location') ? 302 : 200
  const response: CgiResponse = { status, headers, body: out.subarray(split.bodyStart) }
  if (statusText !== undefined) response.statusText = statusText
  return { ok: true, response }
}
