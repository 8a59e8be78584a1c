import { existsSync, readFileSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import type { ValidationIssue } from '../../../contract/api.ts'
import { checkComposeText, isComposeFile } from '../compose/load.ts'
import { WorldbenchError } from '../errors.ts'
import { offsetOf, parseLocatedYaml, yamlData } from './located-yaml.ts'
import { place } from './place.ts'
import { type World, WorldSchema } from './schema.ts'
import { semanticIssues } from './semantics.ts'

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
