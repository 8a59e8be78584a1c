/** The CGI/1.1 meta-variables (RFC 3875 §4.1) for one HTTP request, plus the workload's own env. */
import type { IncomingMessage } from 'node:http'

export interface CgiRequestInfo {
  method: string
  url: string
  headers: IncomingMessage['headers']
  remoteAddr: string
  serverPort: number
  bodyLength: number
}

export function cgiEnv(req: CgiRequestInfo, declared: Record<string, string>): Record<string, string> {
  const q = req.url.indexOf('?')
  const path = q >= 0 ? req.url.slice(0, q) : req.url
  const env: Record<string, string> = {
    ...declared,
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: 'HTTP/1.1',
    SERVER_SOFTWARE: 'Worldbench',
    SERVER_NAME: '127.0.0.1',
    SERVER_PORT: String(req.serverPort),
    REQUEST_METHOD: req.method,
    REQUEST_URI: req.url,
    SCRIPT_NAME: '',
    PATH_INFO: decodeURIComponentSafe(path),
    QUERY_STRING: q >= 0 ? req.url.slice(q + 1) : '',
    REMOTE_ADDR: req.remoteAddr,
    CONTENT_LENGTH: String(req.bodyLength),
  }
  const contentType = req.headers['content-type']
  if (contentType) env.CONTENT_TYPE = contentType
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue
    const key = name.toLowerCase()
    if (key === 'content-type' || key === 'content-length' || key === 'proxy') continue // httpoxy
    env[`HTTP_${key.toUpperCase().replace(/-/g, '_')}`] = Array.isArray(value) ? value.join(', ') : value
  }
  return env
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}
