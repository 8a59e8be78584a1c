import { isObj, type Obj, type Path, type Report } from './issues.ts'
import { worldName } from './names.ts'

export interface DeclaredNetworks {
  /** Compose key → world network name; `default` is always there. */
  names: Map<string, string>
  /** The world's `networks` settings: the internal ones, by world network name. */
  settings: Record<string, { internal: boolean }>
}

/**
 * The top-level `networks`: which names services may join, as world network names, and which are
 * internal. Only local bridge networks are made: a file asking for another driver or an external
 * network would get a network that reaches more, or other, containers than it says, so those are
 * errors; settings of a bridge network that names do not depend on are warnings.
 */
export function declaredNetworks(v: unknown, error: Report, warn: Report): DeclaredNetworks {
  const out = new Map<string, string>([['default', 'default']])
  const settings: Record<string, { internal: boolean }> = {}
  if (!isObj(v)) return { names: out, settings }
  const taken = new Map<string, string>()
  for (const [key, raw] of Object.entries(v)) {
    const at = (...p: Path): Path => ['networks', key, ...p]
    const def: Obj = isObj(raw) ? raw : {}
    const name = worldName(key, 'net')
    const clash = taken.get(name)
    if (clash !== undefined) error(at(), `"${key}" and "${clash}" both become network "${name}"; rename one`)
    taken.set(name, key)
    out.set(key, name)
    const driver = def.driver
    if (driver !== undefined && driver !== 'bridge' && driver !== 'default')
      error(
        at('driver'),
        `driver "${String(driver)}" is not supported: a world's networks are local bridge networks; remove "driver"`,
      )
    if (def.external === true || isObj(def.external))
      error(
        at('external'),
        `an external network is not supported: Worldbench creates and removes each world's networks (this one would be <world>_${name}); remove "external" to let it`,
      )
    if (def.internal === true) settings[name] = { internal: true }
    if (def.ipam !== undefined)
      warn(at('ipam'), '"ipam" is ignored: the engine picks the subnet; services reach each other by name')
    if (def.name !== undefined)
      warn(
        at('name'),
        `"name" is ignored: the network is named <world>_${name}, as Compose names a project's`,
      )
    for (const k of ['driver_opts', 'attachable', 'enable_ipv6', 'labels'])
      if (def[k] !== undefined) warn(at(k), `"${k}" is ignored: Worldbench makes a plain bridge network`)
  }
  return { names: out, settings }
}

/** Per-network service settings that only pin addresses or order; services find each other by name. */
const IGNORED_ATTACH_KEYS = [
  'ipv4_address',
  'ipv6_address',
  'link_local_ips',
  'mac_address',
  'priority',
  'gw_priority',
  'driver_opts',
  'interface_name',
]

/**
 * A service's `networks` (list, or mapping with `aliases`) as world `networks` entries; a service
 * that names none is on `default`, as in Compose.
 */
export function serviceNetworks(
  v: unknown,
  at: Path,
  declared: Map<string, string>,
  error: Report,
  warn: Report,
): (string | Obj)[] {
  const entries: [string, unknown, Path][] = Array.isArray(v)
    ? v.map((n, i) => [String(n), null, [...at, i]])
    : isObj(v)
      ? Object.entries(v).map(([n, s]) => [n, s, [...at, n]])
      : []
  if (entries.length === 0) return ['default']
  const out: (string | Obj)[] = []
  for (const [key, settings, where] of entries) {
    const name = declared.get(key)
    if (name === undefined) {
      error(where, `network "${key}" is not declared under the top-level "networks"`)
      continue
    }
    const s: Obj = isObj(settings) ? settings : {}
    for (const k of IGNORED_ATTACH_KEYS)
      if (s[k] !== undefined)
        warn(
          [...where, k],
          `"${k}" is ignored: the engine assigns addresses; services reach each other by name`,
        )
    const aliases = Array.isArray(s.aliases) ? s.aliases.map(String) : []
    out.push(aliases.length ? { name, aliases } : name)
  }
  return out
}
