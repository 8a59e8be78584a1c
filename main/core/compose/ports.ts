/** One published port as a world file states it. */
export interface MappedPort {
  host: number
  guest: number
  bind: string
}

export type PortResult = { ports: MappedPort[] } | { error: string }

const LOOPBACK = '127.0.0.1'

/**
 * Compose's port forms: 8080, "8080", "8000:8080", "127.0.0.1:8000:8080", "127.0.0.1::8080",
 * ranges ("8000-8001:80-81"), "[::1]:8000:80", a "/tcp" suffix, and the long form. A port with no
 * host address is published on 127.0.0.1 (Compose would use every interface).
 */
export function mapPort(entry: unknown): PortResult {
  if (typeof entry === 'number') return one(LOOPBACK, undefined, String(entry))
  if (typeof entry === 'object' && entry !== null) return mapLongPort(entry as Record<string, unknown>)
  const text = String(entry)
  const proto = /\/(tcp|udp|sctp)$/.exec(text)
  if (proto && proto[1] !== 'tcp')
    return { error: `"${text}" is ${proto[1]}; Worldbench publishes TCP ports only` }
  const spec = proto ? text.slice(0, -proto[0].length) : text
  const m = /^(?:(\[[^\]]+\]|[^:[\]]+):)?(?:([\d-]*):)?([\d-]+)$/.exec(spec)
  if (!m) return { error: `"${text}" is not a port mapping like "8080", "8000:8080" or "127.0.0.1::8080"` }
  let [, ip, host, guest] = m
  // "8000:8080" reads as ip=8000 by the pattern above: a bare number there is the host port.
  if (ip !== undefined && host === undefined && /^[\d-]+$/.test(ip)) [ip, host] = [undefined, ip]
  return one(ip?.replace(/^\[|\]$/g, '') ?? LOOPBACK, host || undefined, guest!)
}

function mapLongPort(p: Record<string, unknown>): PortResult {
  if (p.protocol !== undefined && p.protocol !== 'tcp')
    return { error: `protocol "${String(p.protocol)}"; Worldbench publishes TCP ports only` }
  if (typeof p.target !== 'number') return { error: 'a long-form port needs a numeric "target"' }
  const published = p.published === undefined ? undefined : String(p.published)
  return one(typeof p.host_ip === 'string' ? p.host_ip : LOOPBACK, published, String(p.target))
}

function one(bind: string, host: string | undefined, guest: string): PortResult {
  const guests = range(guest)
  const hosts = host === undefined ? guests.map(() => 0) : range(host)
  if (
    !guests.length ||
    !hosts.length ||
    guests.some((g) => g < 1 || g > 65535) ||
    hosts.some((h) => h > 65535)
  )
    return { error: `"${host ? `${host}:` : ''}${guest}" has a port outside 1-65535` }
  if (hosts.length !== guests.length)
    return { error: `host range ${host} and container range ${guest} are not the same length` }
  return { ports: guests.map((g, i) => ({ host: hosts[i]!, guest: g, bind })) }
}

function range(v: string): number[] {
  const [a, b] = v.split('-').map(Number)
  if (a === undefined || Number.isNaN(a)) return []
  const end = b === undefined ? a : b
  if (Number.isNaN(end) || end < a) return []
  return Array.from({ length: end - a + 1 }, (_, i) => a + i)
}

export const isLoopback = (bind: string) => bind === LOOPBACK || bind === '::1' || bind === 'localhost'
