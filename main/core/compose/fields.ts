import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseDotenv } from './dotenv.ts'
import { isObj, type Obj, type Path, type Report } from './issues.ts'
import { isLoopback, type MappedPort, mapPort } from './ports.ts'
import { shellWords } from './shell-words.ts'
import { mebibytes, seconds } from './units.ts'

/** One Compose service key (or a few that say one thing) as world file fields. */

export function mapBuild(
  build: unknown,
  at: Path,
  env: Record<string, string | undefined>,
  error: Report,
): Obj {
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

export function mapArgv(v: unknown, at: Path, error: Report): string[] | undefined {
  if (v === undefined || v === null) return undefined
  if (Array.isArray(v)) return v.map(String)
  const words = shellWords(String(v))
  if (!words) error(at, 'has an unclosed quote')
  return words
}

/** Compose's list ("K=V", or "K" to take K from the environment) or mapping form. */
export function listOrDict(v: unknown, env: Record<string, string | undefined>): Record<string, string> {
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

export function envFiles(
  v: unknown,
  at: Path,
  dir: string,
  error: Report,
  warn: Report,
): Record<string, string> {
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

export function mapPorts(v: unknown, at: Path, error: Report, warn: Report): MappedPort[] {
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

export function mapVolumes(v: unknown, at: Path, declared: Obj, error: Report, warn: Report): Obj[] {
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

export function mapLimits(svc: Obj, at: (...p: Path) => Path, error: Report, warn: Report): Obj {
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
export function mapHealthcheck(h: unknown): Obj | undefined {
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

export function mapRestart(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined
  if (v === 'no') return 'no'
  if (v.startsWith('on-failure')) return 'on-failure'
  // Worldbench stops a world only when asked, so unless-stopped and always behave alike here.
  if (v === 'always' || v === 'unless-stopped') return 'always'
  return undefined
}
