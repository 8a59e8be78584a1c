import { basename, dirname } from 'node:path'
import {
  envFiles,
  listOrDict,
  mapArgv,
  mapBuild,
  mapHealthcheck,
  mapLimits,
  mapPorts,
  mapRestart,
  mapVolumes,
} from './fields.ts'
import { type ComposeIssue, isObj, type Obj, type Path, type Report } from './issues.ts'
import { MAPPED_SERVICE_KEYS, NEWER_SERVICE_KEYS, REFUSED_SERVICE_KEYS } from './keys.ts'
import { worldName } from './names.ts'
import { declaredNetworks, serviceNetworks } from './networks.ts'
import type { MappedPort } from './ports.ts'

export type { ComposeIssue, Path } from './issues.ts'

/** A Compose file as a world file would say it, before the world schema checks it. */
export interface MappedCompose {
  world: {
    apiVersion: 'worldbench/v1'
    name: string
    description?: string
    networks?: Record<string, { internal: boolean }>
    workloads: Record<string, unknown>[]
  }
  /** The service each workload came from, by workload index. */
  origins: string[]
  issues: ComposeIssue[]
}

/**
 * Maps a (checked, interpolated) Compose file to a world: each active service becomes a container
 * workload, and an `x-worldbench` section adds the same service as Wasm or a VM.
 */
export function mapCompose(
  compose: Obj,
  file: string,
  env: Record<string, string | undefined>,
): MappedCompose {
  const issues: ComposeIssue[] = []
  const error = (path: Path, message: string) => issues.push({ path, message, severity: 'error' })
  const warn = (path: Path, message: string) => issues.push({ path, message, severity: 'warning' })
  const dir = dirname(file)
  const ext = isObj(compose['x-worldbench']) ? compose['x-worldbench'] : {}
  const name = worldName(String(compose.name ?? env.COMPOSE_PROJECT_NAME ?? ext.name ?? basename(dir)))
  const services = isObj(compose.services) ? compose.services : {}
  const declaredVolumes = isObj(compose.volumes) ? compose.volumes : {}
  topLevel(compose, declaredVolumes, error, warn)
  const networks = declaredNetworks(compose.networks, error, warn)

  const profiles = new Set(
    (env.COMPOSE_PROFILES ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean),
  )
  const active = (svc: Obj) =>
    !Array.isArray(svc.profiles) || svc.profiles.some((p) => profiles.has(String(p)))
  const names = new Map<string, string>()
  for (const key of Object.keys(services)) {
    const n = worldName(key)
    const clash = [...names].find(([, v]) => v === n)
    if (clash) error(['services', key], `"${key}" and "${clash[0]}" both become workload "${n}"; rename one`)
    names.set(key, n)
  }

  const workloads: Record<string, unknown>[] = []
  const joined = new Set<string>()
  const origins: string[] = []
  // Services something waits on to complete (service_completed_successfully): one-off steps.
  const runOnce = new Set<string>()
  for (const [key, raw] of Object.entries(services)) {
    const at = (...p: Path): Path => ['services', key, ...p]
    const svc = isObj(raw) ? raw : {}
    if (!active(svc)) {
      warn(
        at('profiles'),
        `service "${key}" is left out: none of its profiles (${(svc.profiles as string[]).join(', ')}) is enabled; set COMPOSE_PROFILES to include it`,
      )
      continue
    }
    for (const k of Object.keys(svc)) {
      if (MAPPED_SERVICE_KEYS.has(k) || k.startsWith('x-')) continue
      const refused = REFUSED_SERVICE_KEYS[k]
      if (refused) error(at(k), `"${k}" is not supported: ${refused}`)
      else if (NEWER_SERVICE_KEYS.has(k)) warn(at(k), `"${k}" is ignored: Worldbench does not support it yet`)
      else warn(at(k), `"${k}" is ignored: Worldbench runs the service without it`)
    }
    if (svc.container_name !== undefined)
      warn(
        at('container_name'),
        '"container_name" is ignored: Worldbench names containers after the world and workload',
      )

    const workloadName = names.get(key)!
    const container: Obj = {}
    const image = svc.image ?? (svc.build !== undefined ? `${name}-${workloadName}` : undefined)
    if (image === undefined) error(at(), `service "${key}" needs an "image" or a "build"`)
    else container.image = String(image)
    Object.assign(container, mapBuild(svc.build, at('build'), env, error))
    for (const k of ['command', 'entrypoint'] as const) {
      const argv = mapArgv(svc[k], at(k), error)
      if (argv) container[k] = argv
    }
    if (typeof svc.init === 'boolean') container.init = svc.init
    // A service reaches only those it shares a network with; naming none puts it on "default".
    const joins = serviceNetworks(svc.networks, at('networks'), networks.names, error, warn)
    for (const n of joins) joined.add(typeof n === 'string' ? n : String(n.name))
    container.networks = joins
    const volumes = mapVolumes(svc.volumes, at('volumes'), declaredVolumes, error, warn)
    if (volumes.length) container.volumes = volumes

    const w: Obj = { name: workloadName, kind: 'container', container }
    const environment = {
      ...envFiles(svc.env_file, at('env_file'), dir, error, warn),
      ...listOrDict(svc.environment, env),
    }
    if (Object.keys(environment).length) w.env = environment
    const ports = mapPorts(svc.ports, at('ports'), error, warn)
    if (ports.length) w.ports = ports
    const limits = mapLimits(svc, at, error, warn)
    if (Object.keys(limits).length) w.limits = limits
    const xw = isObj(svc['x-worldbench']) ? svc['x-worldbench'] : {}
    // x-worldbench.ready: a probe Compose cannot say (http, tcp, a log line), as in a world file.
    const ready = xw.ready ?? mapHealthcheck(svc.healthcheck)
    if (ready) w.ready = ready
    const restart = mapRestart(svc.restart)
    if (restart) w.restart = restart
    const deps = mapDependsOn(svc.depends_on, at('depends_on'), services, active, error)
    if (deps.length) w.dependsOn = deps.map(([d]) => names.get(d) ?? worldName(d))
    for (const [d, condition] of deps) if (condition === 'service_completed_successfully') runOnce.add(d)
    workloads.push(w)
    origins.push(key)
    for (const extra of extraKinds(svc['x-worldbench'], w, at('x-worldbench'), error)) {
      workloads.push(extra)
      origins.push(key)
    }
  }
  workloads.forEach((w, i) => {
    if (w.kind === 'container' && runOnce.has(origins[i]!)) w.run = 'once'
  })
  if (workloads.length === 0 && Object.keys(services).length > 0)
    error(['services'], 'no service is active; enable a profile with COMPOSE_PROFILES')
  // Compose lets a file declare a network no service joins; a world names only those in use.
  const settings = Object.entries(networks.settings).filter(([n]) => joined.has(n))
  const world: MappedCompose['world'] = {
    apiVersion: 'worldbench/v1',
    name,
    ...(settings.length && { networks: Object.fromEntries(settings) }),
    workloads,
  }
  if (typeof ext.description === 'string') world.description = ext.description
  return { world, origins, issues }
}

function topLevel(compose: Obj, volumes: Obj, error: Report, warn: Report): void {
  if (compose.version !== undefined) warn(['version'], '"version" is obsolete in Compose and ignored')
  for (const k of ['secrets', 'configs', 'include'])
    if (compose[k] !== undefined) warn([k], `"${k}" is ignored: Worldbench does not support it yet`)
  for (const [v, def] of Object.entries(volumes)) {
    if (!isObj(def)) continue
    if (def.external)
      error(['volumes', v, 'external'], 'external volumes are not supported; let Worldbench create it')
    for (const k of ['driver', 'driver_opts', 'name'])
      if (def[k] !== undefined)
        warn(['volumes', v, k], `"${k}" is ignored: named volumes use the engine's local driver`)
  }
}

function mapDependsOn(
  v: unknown,
  at: Path,
  services: Obj,
  active: (s: Obj) => boolean,
  error: Report,
): [string, string][] {
  const entries: [string, string][] = Array.isArray(v)
    ? v.map((d) => [String(d), 'service_started'])
    : isObj(v)
      ? Object.entries(v).map(([d, c]) => [
          d,
          isObj(c) ? String(c.condition ?? 'service_started') : 'service_started',
        ])
      : []
  const out: [string, string][] = []
  for (const [dep, condition] of entries) {
    const where = Array.isArray(v) ? [...at, (v as unknown[]).indexOf(dep)] : [...at, dep]
    const target = services[dep]
    if (!isObj(target)) {
      error(where, `"${dep}" is not a service of this file`)
      continue
    }
    if (!active(target)) {
      error(where, `"${dep}" is left out by its profiles; enable one of them with COMPOSE_PROFILES`)
      continue
    }
    if (condition === 'service_healthy' && !mapHealthcheck(target.healthcheck))
      error([...where, 'condition'], `service_healthy needs a healthcheck on "${dep}"`)
    out.push([dep, condition])
  }
  return out
}

/** `x-worldbench: { wasm: {...}, vm: {...} }`: the same service as another kind, for `worldbench bench`. */
function extraKinds(v: unknown, container: Obj, at: Path, error: Report): Obj[] {
  if (v === undefined) return []
  if (!isObj(v)) {
    error(at, 'must be a mapping with "wasm", "vm" or "ready"')
    return []
  }
  const out: Obj[] = []
  for (const [k, section] of Object.entries(v)) {
    if (k === 'ready') continue
    if (k !== 'wasm' && k !== 'vm') {
      error([...at, k], `"${k}" is not something x-worldbench takes; use "wasm", "vm" or "ready"`)
      continue
    }
    if (!isObj(section)) {
      error([...at, k], `must be a ${k} section as in a world file`)
      continue
    }
    const { port, ready, ...rest } = section
    const ports = (container.ports as MappedPort[] | undefined) ?? []
    const guest = typeof port === 'number' ? port : undefined
    const w: Obj = {
      name: `${container.name}-${k}`,
      kind: k,
      [k]: rest,
      ports: ports.map((p) => ({ host: 0, guest: guest ?? p.guest, bind: p.bind })),
    }
    if (container.env) w.env = container.env
    const timeoutSeconds = k === 'vm' ? 180 : 60
    const probe = isObj(container.ready) ? container.ready : undefined
    // The container's HTTP probe fits the other kinds too; a health-check command runs only in a container.
    if (ready !== undefined) w.ready = ready
    else if (probe?.http !== undefined) w.ready = { http: probe.http, timeoutSeconds }
    else if (probe && ports.length) w.ready = { tcp: true, timeoutSeconds }
    if (container.dependsOn) w.dependsOn = container.dependsOn
    out.push(w)
  }
  return out
}
