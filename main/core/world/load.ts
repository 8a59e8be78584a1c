import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, isAbsolute, relative, resolve } from 'node:path'
import { type Document, isNode } from 'yaml'
import type { ValidationIssue } from '../../../preload/api.ts'
import { checkComposeText, isComposeFile } from '../compose/load.ts'
import { WorldbenchError } from '../errors.ts'
import { dirHostProblem, realPathOutside } from './host-paths.ts'
import { parseLocatedYaml, yamlData } from './located-yaml.ts'
import { dependencyCycle } from './order.ts'
import { refsIn } from './refs.ts'
import { type World, type WorldInput, WorldSchema } from './schema.ts'
import { withWasmDefaults } from './wasm-defaults.ts'

/** Reads and checks a world file; every problem is reported with file, line, column and field path. */
export async function validateWorldFile(
  file: string,
): Promise<{ world?: World; issues: ValidationIssue[]; warnings?: ValidationIssue[] }> {
  return checkWorldFileSync(resolve(file))
}

/** A world file is a page of YAML; a megabyte is already far more than any real one. */
export const MAX_WORLD_BYTES = 1 << 20

/**
 * validateWorldFile, synchronous (for listings) and never throwing. A folder, a device such as
 * /dev/zero, a pipe or an oversized file is refused before a byte is read.
 */
export function checkWorldFileSync(file: string): {
  world?: World
  issues: ValidationIssue[]
  warnings?: ValidationIssue[]
} {
  const refuse = (message: string) => ({ issues: [{ file, line: 1, column: 1, path: '', message }] })
  let text: string
  try {
    const st = statSync(file)
    if (!st.isFile()) return refuse('not a regular file, so it cannot be a world file')
    if (st.size > MAX_WORLD_BYTES)
      return refuse(
        `the world file is larger than ${MAX_WORLD_BYTES >> 20} MiB; a world file is a page of YAML`,
      )
    text = readFileSync(file, 'utf8')
  } catch {
    return refuse(`cannot read the world file (does ${file} exist?)`)
  }
  try {
    return checkWorldText(file, text)
  } catch (err) {
    return refuse(`cannot check the world file: ${err instanceof Error ? err.message : String(err)}`)
  }
}

/** Limits checked before and while parsing (aliases: located-yaml.ts), so no file can exhaust memory, stack or time. */
const MAX_NESTING = 64

export function checkWorldText(
  file: string,
  text: string,
): { world?: World; issues: ValidationIssue[]; warnings?: ValidationIssue[] } {
  const start = { line: 1, column: 1 }
  const refuse = (message: string, where = start) => ({ issues: [{ file, ...where, path: '', message }] })
  if (Buffer.byteLength(text) > MAX_WORLD_BYTES)
    return refuse(
      `the world file is larger than ${MAX_WORLD_BYTES >> 20} MiB; a world file is a page of YAML`,
    )
  if (!/^\s*[^\s#]/m.test(text))
    return refuse('the world file is empty; it needs at least apiVersion, name and workloads')
  const deep = flowNestingExceeds(text, MAX_NESTING)
  if (deep !== undefined) return refuse(`nested deeper than ${MAX_NESTING} levels`, deep)
  if (isComposeFile(file, text)) return checkComposeText(file, text)
  const { doc, at, issues: syntax } = parseLocatedYaml(file, text)
  if (syntax.length > 0) return { issues: syntax }
  const read = yamlData(doc)
  if ('error' in read) return refuse(read.error)
  const data = read.data
  const parsed = WorldSchema.safeParse(data)
  if (!parsed.success) {
    return {
      issues: parsed.error.issues.map((issue) => {
        const path = issue.path as (string | number)[]
        // Point an unknown field at the field itself, not at the object holding it.
        const where = issue.code === 'unrecognized_keys' && issue.keys[0] ? [...path, issue.keys[0]] : path
        // A bad record key (an env name) says why in its inner issue, not in "Invalid key in record".
        const message =
          issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message
        return { file, ...at(offsetOf(doc, where)), path: printablePath(path), message }
      }),
    }
  }
  const issues = semanticIssues(file, parsed.data, (path) => at(offsetOf(doc, path)))
  if (issues.length > 0) return { issues }
  return { world: place(file, parsed.data), issues: [] }
}

/**
 * Where block or flow nesting passes `max` (line and column), without parsing: a deeper document is
 * no world file, and the parser and zod would recurse through it. Indentation counts one level per
 * two spaces, a good bound for block YAML; "[" and "{" count one each (quotes are not tracked: a
 * string would need dozens of open brackets to trip this).
 */
function flowNestingExceeds(text: string, max: number): { line: number; column: number } | undefined {
  const lines = text.split('\n')
  let flow = 0
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const indent = Math.floor((line.length - line.trimStart().length) / 2)
    for (let j = 0; j < line.length; j++) {
      const c = line[j]
      if (c === '#') break
      if (c === '[' || c === '{') flow++
      else if (c === ']' || c === '}') flow = Math.max(0, flow - 1)
      if (indent + flow > max) return { line: i + 1, column: j + 1 }
    }
  }
  return undefined
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\x00-\x1f]/g

/** A field path as text; control characters in keys (a NUL, a newline) are shown escaped. */
function printablePath(path: (string | number)[]): string {
  const hex = (c: string) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`
  return path.map((p) => String(p).replace(CONTROL, hex)).join('.')
}

/** Start offset of the YAML node at `path`, or of its nearest existing parent. */
export function offsetOf(doc: Document, path: (string | number)[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true)
    if (isNode(node) && node.range) return node.range[0]
  }
  return undefined
}

export type Locate = (path: (string | number)[]) => { line?: number; column?: number }

export function semanticIssues(file: string, world: WorldInput, lineCol: Locate): ValidationIssue[] {
  const issues: ValidationIssue[] = []
  const issue = (path: (string | number)[], message: string) =>
    issues.push({ file, ...lineCol(path), path: path.join('.'), message })
  const names = new Map<string, number>()
  world.workloads.forEach((w, i) => {
    if (names.has(w.name)) issue(['workloads', i, 'name'], `duplicate workload name "${w.name}"`)
    names.set(w.name, i)
  })
  const hostPorts = new Map<string, string>()
  world.workloads.forEach((w, i) => {
    w.dependsOn.forEach((d, j) => {
      if (!names.has(d))
        issue(
          ['workloads', i, 'dependsOn', j],
          `"${w.name}" depends on "${d}", which is not a workload of this world`,
        )
      if (d === w.name) issue(['workloads', i, 'dependsOn', j], `"${w.name}" depends on itself`)
    })
    w.ports.forEach((p, j) => {
      if (p.host === 0) return
      const key = `${p.bind}:${p.host}`
      const other = hostPorts.get(key)
      if (other)
        issue(
          ['workloads', i, 'ports', j, 'host'],
          `host port ${p.host} is used by both "${other}" and "${w.name}"`,
        )
      hostPorts.set(key, w.name)
    })
    for (const [path, value] of referencingValues(w)) {
      const { names, invalid } = refsIn(value)
      for (const r of invalid)
        issue(
          ['workloads', i, ...path],
          `"${r}" is not a reference Worldbench knows; use \${workloads.NAME.url}`,
        )
      for (const n of names) {
        if (!w.dependsOn.includes(n))
          issue(
            ['workloads', i, ...path],
            `"${w.name}" refers to \${workloads.${n}.url}, so it must list "${n}" in dependsOn`,
          )
      }
    }
    for (const [path, value] of artifactPaths(w)) {
      const abs = resolve(dirname(file), value)
      const rel = relative(dirname(file), abs)
      if (isAbsolute(value) || rel.startsWith('..'))
        issue(['workloads', i, ...path], `path "${value}" escapes the world's folder`)
      else {
        const real = realPathOutside(dirname(file), value)
        if (real !== undefined)
          issue(
            ['workloads', i, ...path],
            `path "${value}" leads outside the world's folder through a symlink (to ${real})`,
          )
      }
    }
    w.wasm?.dirs.forEach((d, j) => {
      const problem = dirHostProblem(dirname(file), d.host, d.outside)
      if (problem) issue(['workloads', i, 'wasm', 'dirs', j, 'host'], problem)
    })
  })
  const cycle = dependencyCycle(world.workloads)
  if (cycle)
    issue(['workloads', names.get(cycle[0]!) ?? 0, 'dependsOn'], `dependency cycle: ${cycle.join(' → ')}`)
  return issues
}

/** Every file path a workload names, with its field path, so they can be checked and resolved alike. */
function artifactPaths(w: WorldInput['workloads'][number]): [(string | number)[], string][] {
  const out: [(string | number)[], string][] = []
  const add = (path: (string | number)[], v: string | undefined) => v !== undefined && out.push([path, v])
  add(['container', 'build'], w.container?.build)
  add(['container', 'dockerfile'], w.container?.dockerfile)
  for (const f of ['kernel', 'initrd', 'disk', 'cloudInit', 'build'] as const) add(['vm', f], w.vm?.[f])
  add(['wasm', 'module'], w.wasm?.module)
  add(['wasm', 'build'], w.wasm?.build)
  for (const [iface, path] of Object.entries(w.wasm?.link ?? {})) add(['wasm', 'link', iface], path)
  add(['prepare'], w.prepare)
  return out
}

/** Values that may hold \${workloads.NAME.url} references, with their field paths. */
function referencingValues(w: WorldInput['workloads'][number]): [(string | number)[], string][] {
  return [
    ...Object.entries(w.env).map(([k, v]): [(string | number)[], string] => [['env', k], v]),
    ...(w.wasm?.allowHttp ?? []).map((v, j): [(string | number)[], string] => [['wasm', 'allowHttp', j], v]),
  ]
}

/** Resolves every path against the world's folder and names the world on each workload. */
export function place(file: string, input: WorldInput): World {
  const dir = dirname(file)
  const abs = (p: string | undefined) => (p === undefined ? undefined : resolve(dir, p))
  return {
    name: input.name,
    ...(input.description !== undefined && { description: input.description }),
    file,
    dir,
    workloads: input.workloads.map((w) => ({
      ...withWasmDefaults(w),
      world: input.name,
      ...(w.prepare !== undefined && { prepare: abs(w.prepare) }),
      ...(w.container && {
        container: {
          ...w.container,
          build: abs(w.container.build),
          dockerfile: w.container.dockerfile,
          volumes: w.container.volumes?.map((v) =>
            v.type === 'bind' && v.source !== undefined ? { ...v, source: resolve(dir, v.source) } : v,
          ),
        },
      }),
      ...(w.vm && {
        vm: {
          ...w.vm,
          kernel: abs(w.vm.kernel),
          initrd: abs(w.vm.initrd),
          disk: abs(w.vm.disk),
          cloudInit: abs(w.vm.cloudInit),
          build: abs(w.vm.build),
        },
      }),
      ...(w.wasm && {
        wasm: {
          ...w.wasm,
          module: abs(w.wasm.module)!,
          build: abs(w.wasm.build),
          link: Object.fromEntries(Object.entries(w.wasm.link).map(([iface, p]) => [iface, resolve(dir, p)])),
          dirs: w.wasm.dirs.map((d) => ({ ...d, host: resolve(dir, d.host) })),
        },
      }),
    })),
  }
}

/** Loads a world or throws WORLD_INVALID listing every issue. */
export async function loadWorld(file: string): Promise<World> {
  if (!existsSync(file)) {
    throw new WorldbenchError(
      'WORLD_NOT_FOUND',
      `World file ${file} does not exist.`,
      'Pass a sample name (see "worldbench up --help") or the path of a world.yaml.',
    )
  }
  const { world, issues } = await validateWorldFile(file)
  if (!world) {
    throw new WorldbenchError(
      'WORLD_INVALID',
      `World file ${file} is invalid:\n${issues.map(formatIssue).join('\n')}`,
      'Fix the fields named above; "worldbench validate FILE" checks without starting anything.',
      { issues },
    )
  }
  return world
}

export function formatIssue(i: ValidationIssue): string {
  const where = i.line !== undefined ? `${i.file}:${i.line}:${i.column}` : i.file
  return `  ${where}${i.path ? ` ${i.path}:` : ''} ${i.message}`
}
