import { existsSync, readFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { visit } from 'yaml'
import type { ValidationIssue } from '../../../contract/api.ts'
import { offsetOf, parseLocatedYaml, yamlData } from '../world/located-yaml.ts'
import { place } from '../world/place.ts'
import { type World, WorldSchema } from '../world/schema.ts'
import { semanticIssues } from '../world/semantics.ts'
import { parseDotenv } from './dotenv.ts'
import { interpolate } from './interpolate.ts'
import { NEWER_SERVICE_KEYS, NEWER_TOP_KEYS } from './keys.ts'
import { type ComposeIssue, mapCompose, type Path } from './map.ts'
import { checkComposeSpec } from './spec-check.ts'

const COMPOSE_NAME = /(^|[.-])compose(\.[\w-]+)?\.ya?ml$/

/** A Compose file by its name (compose.yaml, docker-compose.yml, x.compose.yaml), or by a top-level "services" and no "apiVersion". */
export function isComposeFile(file: string, text: string): boolean {
  return COMPOSE_NAME.test(basename(file)) || (/^services\s*:/m.test(text) && !/^apiVersion\s*:/m.test(text))
}

export interface ComposeCheck {
  world?: World
  issues: ValidationIssue[]
  warnings: ValidationIssue[]
}

/**
 * Reads a Compose file as a world: `${VAR}` interpolation from the shell and the .env beside it,
 * the compose-spec JSON Schema, then the mapping and the world's own checks. Every issue names the
 * file, line and column in the Compose file.
 */
export function checkComposeText(
  file: string,
  text: string,
  shellEnv: Record<string, string | undefined> = process.env,
): ComposeCheck {
  const { doc, at, issues: syntax } = parseLocatedYaml(file, text)
  if (syntax.length > 0) return { issues: syntax, warnings: [] }
  const issues: ValidationIssue[] = []
  const warnings: ValidationIssue[] = []
  const report = (i: ComposeIssue) =>
    (i.severity === 'error' ? issues : warnings).push({
      file,
      ...at(offsetOf(doc, i.path)),
      path: i.path.join('.'),
      message: i.message,
    })

  const env = { ...dotenvBeside(file, report), ...shellEnv }
  visit(doc, {
    Scalar(key, node) {
      if (key === 'key' || typeof node.value !== 'string') return
      const r = interpolate(node.value, env)
      const where = { file, ...at(node.range?.[0]), path: '' }
      for (const message of r.errors) issues.push({ ...where, message })
      for (const name of new Set(r.unset))
        warnings.push({ ...where, message: `variable ${name} is not set; it becomes an empty string` })
      node.value = r.value
    },
  })
  if (issues.length) return { issues, warnings }

  const read = yamlData(doc)
  if ('error' in read)
    return { issues: [{ file, line: 1, column: 1, path: '', message: read.error }], warnings }
  const data = read.data as Record<string, unknown>
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    return {
      issues: [{ file, path: '', message: 'a Compose file must be a mapping with "services"' }],
      warnings,
    }
  for (const i of checkComposeSpec(forBundledSchema(data))) report({ ...i, severity: 'error' })
  if (issues.length) return { issues, warnings }

  const mapped = mapCompose(data, file, env)
  for (const i of mapped.issues) report(i)
  if (issues.length) return { issues, warnings }

  // A world path (workloads.3.container.image) is shown at the service it came from.
  const toCompose = (path: Path): Path =>
    path[0] === 'workloads' && typeof path[1] === 'number'
      ? ['services', mapped.origins[path[1]] ?? '']
      : path
  const worldIssue = (path: Path, message: string): ValidationIssue => ({
    file,
    ...at(offsetOf(doc, toCompose(path))),
    path: toCompose(path).join('.'),
    message: `${path.slice(2).join('.') || 'workload'}: ${message}`,
  })
  const parsed = WorldSchema.safeParse(mapped.world)
  if (!parsed.success)
    return { issues: parsed.error.issues.map((e) => worldIssue(e.path as Path, e.message)), warnings }
  const semantic = semanticIssues(file, parsed.data, () => ({}))
  if (semantic.length)
    return {
      issues: semantic.map((i) =>
        worldIssue(
          i.path.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)),
          i.message,
        ),
      ),
      warnings,
    }
  return { world: place(file, parsed.data), issues, warnings }
}

/** The .env file beside the Compose file, which shell variables override (as in Compose). */
function dotenvBeside(file: string, report: (i: ComposeIssue) => void): Record<string, string> {
  const path = join(dirname(file), '.env')
  if (!existsSync(path)) return {}
  const { values, bad } = parseDotenv(readFileSync(path, 'utf8'))
  if (bad.length)
    report({
      path: [],
      severity: 'warning',
      message: `${path}: line ${bad.join(', ')} is not KEY=VALUE and is skipped`,
    })
  return values
}

/** The bundled schema predates some keys; the mapper names those itself, so the schema does not see them. */
function forBundledSchema(data: Record<string, unknown>): Record<string, unknown> {
  const out = Object.fromEntries(Object.entries(data).filter(([k]) => !NEWER_TOP_KEYS.has(k)))
  const services = data.services
  if (typeof services === 'object' && services !== null && !Array.isArray(services))
    out.services = Object.fromEntries(
      Object.entries(services).map(([k, s]) => [
        k,
        typeof s === 'object' && s !== null
          ? Object.fromEntries(Object.entries(s).filter(([key]) => !NEWER_SERVICE_KEYS.has(key)))
          : s,
      ]),
    )
  return out
}
