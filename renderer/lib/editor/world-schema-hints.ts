import type { Completion, CompletionContext, CompletionResult } from '@codemirror/autocomplete'
import { hoverTooltip } from '@codemirror/view'
import schemaJson from '../../../resources/schema/world.schema.json'
import { contextAt, keyOf, pathOf, treeOf, type YamlPath } from './yaml-context.ts'

/** The part of JSON Schema that the generated world schema uses. */
export interface JsonSchema {
  type?: string | string[]
  description?: string
  properties?: Record<string, JsonSchema>
  additionalProperties?: boolean | JsonSchema
  items?: JsonSchema
  anyOf?: JsonSchema[]
  enum?: unknown[]
  const?: unknown
  default?: unknown
  required?: string[]
}

/** The JSON Schema generated from the service's own world schema (`npm run schema`). */
export const worldSchema: JsonSchema = schemaJson

/** The schema of the value at `path`, if the schema says. */
export function schemaAt(root: JsonSchema, path: YamlPath): JsonSchema | undefined {
  let s: JsonSchema | undefined = root
  for (const seg of path) {
    if (!s) return undefined
    if (typeof seg === 'number') s = s.items
    else
      s =
        s.properties?.[seg] ??
        (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined)
  }
  return s
}

function typeLabel(s: JsonSchema): string {
  if (s.const !== undefined) return JSON.stringify(s.const)
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ')
  const t = Array.isArray(s.type) ? s.type.join(' | ') : (s.type ?? '')
  return t === 'array' && s.items?.type ? `${s.items.type}[]` : t
}

function valuesOf(s: JsonSchema): unknown[] {
  if (s.const !== undefined) return [s.const]
  if (s.enum) return s.enum
  if (s.type === 'boolean') return [true, false]
  return []
}

/** Completions from the schema: the keys a mapping may still have, or the values a key allows. */
export function worldCompletions(root: JsonSchema = worldSchema) {
  return (ctx: CompletionContext): CompletionResult | null => {
    const at = contextAt(ctx.state, ctx.pos)
    if (!at || (at.from === ctx.pos && !ctx.explicit && at.role === 'key')) return null
    const here = schemaAt(root, at.path)
    if (!here) return null
    let options: Completion[]
    if (at.role === 'key') {
      const required = new Set(here.properties ? (here.required ?? []) : [])
      options = Object.entries(here.properties ?? {})
        .filter(([k]) => !at.present.includes(k))
        .map(([k, s]) => ({
          label: k,
          type: 'property',
          detail: typeLabel(s) + (required.has(k) ? ' (required)' : ''),
          ...(s.description !== undefined && { info: s.description }),
          apply: `${k}: `,
          boost: required.has(k) ? 1 : 0,
        }))
    } else {
      options = valuesOf(here).map((v) => ({ label: String(v), type: 'enum' }))
    }
    return options.length ? { from: at.from, options, validFor: /^[\w./-]*$/ } : null
  }
}

/** What a key is for, from the schema, when the pointer rests on it. */
export function worldHover(root: JsonSchema = worldSchema) {
  return hoverTooltip((view, pos, side) => {
    const node = treeOf(view.state).resolveInner(pos, side)
    const pair = node.parent?.name === 'Key' ? node.parent.parent : undefined
    if (pair?.name !== 'Pair') return null
    const key = keyOf(view.state, pair)
    const path = [...pathOf(view.state, pair.parent)]
    const s = key === undefined ? undefined : schemaAt(root, [...path, key])
    if (!s) return null
    return {
      pos: node.from,
      end: node.to,
      above: true,
      create: () => {
        const dom = document.createElement('div')
        dom.className = 'cm-world-hint'
        const head = document.createElement('code')
        head.textContent = `${key}: ${typeLabel(s)}`
        dom.append(head)
        if (s.description) dom.append(document.createElement('br'), s.description)
        return { dom }
      },
    }
  })
}
