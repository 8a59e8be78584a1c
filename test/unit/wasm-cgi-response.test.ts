import { describe, expect, it } from 'vitest'
import { parseCgiResponse } from '../../main/runtimes/wasm/host/cgi-response.ts'

const bytes = (s: string) => new TextEncoder().encode(s)
const text = (b: Uint8Array) => new TextDecoder().decode(b)

describe('parseCgiResponse', () => {
  it('reads headers, a CRLF blank line and the body', () => {
    const r = parseCgiResponse(bytes('Content-Type: text/plain\r\nX-A: 1\r\n\r\nhello\n'))
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.response.status).toBe(200)
    expect(r.response.headers).toEqual([
      ['Content-Type', 'text/plain'],
      ['X-A', '1'],
    ])
    expect(text(r.response.body)).toBe('hello\n')
  })

  it('accepts bare LF line ends and a Status header with a reason', () => {
    const r = parseCgiResponse(bytes('Status: 404 Not Found\nContent-Type: text/plain\n\nnope'))
    expect(r.ok && r.response.status).toBe(404)
    expect(r.ok && r.response.statusText).toBe('Not Found')
    expect(r.ok && r.response.headers.some(([n]) => n === 'Status')).toBe(false)
  })

  it('treats a Location without Status as a redirect', () => {
    const r = parseCgiResponse(bytes('Location: /elsewhere\r\n\r\n'))
    expect(r.ok && r.response.status).toBe(302)
  })

  it('keeps a body that itself contains blank lines', () => {
    const r = parseCgiResponse(bytes('Content-Type: text/plain\n\na\n\nb'))
    expect(r.ok && text(r.response.body)).toBe('a\n\nb')
  })

  it('rejects output with no header section', () => {
    const r = parseCgiResponse(bytes('just some text'))
    expect(r.ok).toBe(false)
    expect(!r.ok && r.reason).toMatch(/no header section/)
  })

  it('rejects a malformed header or Status line', () => {
    expect(parseCgiResponse(bytes('not a header\n\nbody')).ok).toBe(false)
    expect(parseCgiResponse(bytes('Status: abc\n\n')).ok).toBe(false)
  })
})
