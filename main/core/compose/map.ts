import { existsSync, readFileSync } from 'node:fs'
import { basename, dirname, resolve } from 'node:path'
import { parseDotenv } from './dotenv.ts'
import { MAPPED_SERVICE_KEYS, NEWER_SERVICE_KEYS, REFUSED_SERVICE_KEYS } from './keys.ts'
import { isLoopback, type MappedPort, mapPort } from './ports.ts'
import { shellWords } from './shell-words.ts'
import { mebibytes, seconds } from './units.ts'

export type Path = (string | number)[]

export interface ComposeIssue {
  path: Path
  message: string
  severity: 'error' | 'warning'
}

/** A Compose file as a world file would say it, before the world schema checks it. */
export interface MappedCompose {
  world: {
    apiVersion: 'worldbench/v1'
    name: string
    description?: string
    workloads: Record<string, unknown>[]
  }
  /** The service each workload came from, by workload index. */
  origins: string[]
  issues: ComposeIssue[]
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Lowercase letters, digits and dashes: what world and workload names allow. */
export const worldName = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63) || 'compose'

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
  const origins: string[] = []
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
    // Compose's default network: every service reaches the others by name.
    container.network = 'default'
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
    if (deps.length) w.dependsOn = deps.map((d) => names.get(d) ?? worldName(d))
    workloads.push(w)
    origins.push(key)
    for (const extra of extraKinds(svc['x-worldbench'], w, at('x-worldbench'), error)) {
      workloads.push(extra)
      origins.push(key)
    }
  }
  if (workloads.length === 0 && Object.keys(services).length > 0)
    error(['services'], 'no service is active; enable a profile with COMPOSE_PROFILES')
  const world: MappedCompose['world'] = { apiVersion: 'worldbench/v1', name, workloads }
  if (typeof ext.description === 'string') world.description = ext.description
  return { world, origins, issues }
}

type Report = (path: Path, message: string) => void

function topLevel(compose: Obj, volumes: Obj, error: Report, warn: Report): void {
  if (compose.version !== undefined) warn(['version'], '"version" is obsolete in Compose and ignored')
  if (isObj(compose.networks) && Object.keys(compose.networks).length)
    warn(
      ['networks'],
      '"networks" is ignored: every service of the world is on one network (<world>_default) and reaches the others by name',
    )
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

function mapBuild(build: unknown, at: Path, env: Record<string, string | undefined>, error: Report): Obj {
  if (build === undefined) return {}
  const b: Obj = typeof build === 'string' ? { context: build } : isObj(build) ? build : {}
  const context = String(b.context ?? '.')
  if (/^[a-z]+:\/\/|^git@/.test(context)) {
    error(
      [...at, ...(typeof build === 'string' ? [] : ['context'])],
      'a remote build context is not supported; clone it and point at the folder',
    )
    return {}
  }
  const out: Obj = { build: context }
  if (typeof b.dockerfile === 'string') out.dockerfile = b.dockerfile
  if (b.args !== undefined) out.buildArgs = listOrDict(b.args, env)
  for (const k of Object.keys(b))
    if (!['context', 'dockerfile', 'args'].includes(k) && !k.startsWith('x-'))
      error([...at, k], `build "${k}" is not supported; only context, dockerfile and args are`)
  return out
}

function mapArgv(v: unknown, at: Path, error: Report): string[] | undefined {
  if (v === undefined || v === null) return undefined
  if (Array.isArray(v)) return v.map(String)
  const words = shellWords(String(v))
  if (!words) error(at, 'has an unclosed quote')
  return words
}

/** Compose's list ("K=V", or "K" to take K from the environment) or mapping form. */
function listOrDict(v: unknown, env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  const put = (k: string, val: unknown) => {
    if (val === null || val === undefined) {
      const fromEnv = env[k]
      if (fromEnv !== undefined) out[k] = fromEnv
    } else out[k] = String(val)
  }
  if (Array.isArray(v))
    for (const item of v) {
      const s = String(item)
      const i = s.indexOf('=')
      if (i < 0) put(s, undefined)
      else put(s.slice(0, i), s.slice(i + 1))
    }
  else if (isObj(v)) for (const [k, val] of Object.entries(v)) put(k, val)
  return out
}

function envFiles(v: unknown, at: Path, dir: string, error: Report, warn: Report): Record<string, string> {
  if (v === undefined) return {}
  const list = Array.isArray(v) ? v : [v]
  const out: Record<string, string> = {}
  list.forEach((entry, i) => {
    const where = Array.isArray(v) ? [...at, i] : at
    const path = isObj(entry) ? String(entry.path) : String(entry)
    const required = isObj(entry) ? entry.required !== false : true
    const abs = resolve(dir, path)
    if (!existsSync(abs)) {
      if (required) error(where, `env_file ${path} does not exist (looked for ${abs})`)
      return
    }
    const { values, bad } = parseDotenv(readFileSync(abs, 'utf8'))
    if (bad.length) warn(where, `env_file ${path}: line ${bad.join(', ')} is not KEY=VALUE and is skipped`)
    Object.assign(out, values)
  })
  return out
}

function mapPorts(v: unknown, at: Path, error: Report, warn: Report): MappedPort[] {
  if (!Array.isArray(v)) return []
  const out: MappedPort[] = []
  for (const [i, entry] of v.entries()) {
    const r = mapPort(entry)
    if ('error' in r) {
      error([...at, i], r.error)
      continue
    }
    for (const p of r.ports) {
      if (!isLoopback(p.bind))
        warn(
          [...at, i],
          `port ${p.guest} is published on ${p.bind}, as the file says: anyone who can reach this machine can reach it (write "127.0.0.1:${p.host || ''}:${p.guest}" to keep it local)`,
        )
      out.push(p)
    }
  }
  return out
}

function mapVolumes(v: unknown, at: Path, declared: Obj, error: Report, warn: Report): Obj[] {
  if (!Array.isArray(v)) return []
  const out: Obj[] = []
  for (const [i, entry] of v.entries()) {
    const where = [...at, i]
    let type: string
    let source: string | undefined
    let target: string | undefined
    let readOnly = false
    if (isObj(entry)) {
      type = String(entry.type)
      source = entry.source === undefined ? undefined : String(entry.source)
      target = entry.target === undefined ? undefined : String(entry.target)
      readOnly = entry.read_only === true
    } else {
      const parts = String(entry).split(':')
      if (parts.length === 1) [target] = parts
      else [source, target] = parts
      const mode = parts[2] ?? ''
      readOnly = mode.split(',').includes('ro')
      type = source === undefined || !/^[./~]/.test(source) ? 'volume' : 'bind'
      if (parts.length > 3) {
        error(where, `"${String(entry)}" is not SOURCE:TARGET[:MODE]`)
        continue
      }
    }
    if (type !== 'bind' && type !== 'volume') {
      warn(where, `a ${type} mount is ignored: Worldbench mounts bind folders and named volumes`)
      continue
    }
    if (!target?.startsWith('/')) {
      error(where, 'the container path must be absolute')
      continue
    }
    if (type === 'bind' && source?.startsWith('~')) {
      error(where, 'write the host path without "~"')
      continue
    }
    if (type === 'volume' && source !== undefined && !(source in declared)) {
      error(where, `named volume "${source}" is not declared under the top-level "volumes"`)
      continue
    }
    out.push({ type, ...(source !== undefined && { source }), target, ...(readOnly && { readOnly }) })
  }
  return out
}

function mapLimits(svc: Obj, at: (...p: Path) => Path, error: Report, warn: Report): Obj {
  const out: Obj = {}
  const deploy = isObj(svc.deploy) ? svc.deploy : {}
  const resources = isObj(deploy.resources) ? deploy.resources : {}
  const limits = isObj(resources.limits) ? resources.limits : {}
  for (const k of Object.keys(deploy))
    if (k !== 'resources') warn(at('deploy', k), `deploy "${k}" is ignored: one machine runs one instance`)
  if (resources.reservations !== undefined)
    warn(
      at('deploy', 'resources', 'reservations'),
      'reservations are ignored: Worldbench enforces limits only',
    )
  const memory = svc.mem_limit ?? limits.memory
  if (memory !== undefined) {
    const mib = mebibytes(memory as string | number)
    if (mib === undefined)
      error(
        svc.mem_limit !== undefined ? at('mem_limit') : at('deploy', 'resources', 'limits', 'memory'),
        `"${memory}" is not a size like 64m or 1g`,
      )
    else out.memoryMiB = mib
  }
  const cpus = svc.cpus ?? limits.cpus
  if (cpus !== undefined) {
    const n = Number(cpus)
    if (!(n > 0))
      error(
        svc.cpus !== undefined ? at('cpus') : at('deploy', 'resources', 'limits', 'cpus'),
        `"${cpus}" is not a CPU count`,
      )
    else out.cpus = n
  }
  return out
}

/** A health check becomes a command readiness probe, with Compose's defaults (30s interval, 3 retries) tightened to start fast. */
function mapHealthcheck(h: unknown): Obj | undefined {
  if (!isObj(h) || h.disable === true || h.test === undefined) return undefined
  const test = h.test
  let command: string[] | undefined
  if (typeof test === 'string') command = ['/bin/sh', '-c', test]
  else if (Array.isArray(test)) {
    const [form, ...rest] = test.map(String)
    if (form === 'NONE') return undefined
    command =
      form === 'CMD-SHELL' ? ['/bin/sh', '-c', rest.join(' ')] : form === 'CMD' ? rest : test.map(String)
  }
  if (!command?.length) return undefined
  const interval = typeof h.interval === 'string' ? seconds(h.interval) : undefined
  const retries = typeof h.retries === 'number' ? h.retries : 3
  const startPeriod = typeof h.start_period === 'string' ? seconds(h.start_period) : 0
  const budget = startPeriod + (interval ?? 1) * (retries + 1)
  return {
    command,
    ...(interval !== undefined && { intervalSeconds: interval }),
    timeoutSeconds: Math.max(60, Math.ceil(budget)),
  }
}

function mapRestart(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined
  if (v === 'no') return 'no'
  if (v.startsWith('on-failure')) return 'on-failure'
  // Worldbench stops a world only when asked, so unless-stopped and always behave alike here.
  if (v === 'always' || v === 'unless-stopped') return 'always'
  return undefined
}

function mapDependsOn(
  v: unknown,
  at: Path,
  services: Obj,
  active: (s: Obj) => boolean,
  error: Report,
): string[] {
  const entries: [string, string][] = Array.isArray(v)
    ? v.map((d) => [String(d), 'service_started'])
    : isObj(v)
      ? Object.entries(v).map(([d, c]) => [
          d,
          isObj(c) ? String(c.condition ?? 'service_started') : 'service_started',
        ])
      : []
  const out: string[] = []
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
    if (condition === 'service_completed_successfully') {
      error(
        [...where, 'condition'],
        'service_completed_successfully is not supported: Worldbench runs long-lived workloads; run the one-off step before "worldbench up"',
      )
      continue
    }
    if (condition === 'service_healthy' && !mapHealthcheck(target.healthcheck))
      error([...where, 'condition'], `service_healthy needs a healthcheck on "${dep}"`)
    out.push(dep)
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
