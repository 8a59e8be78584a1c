import { type Document, isNode, isScalar, LineCounter, parseDocument, visit } from 'yaml'
import type { ValidationIssue } from '../../../contract/api.ts'

/** More alias expansions than this is an alias bomb ("billion laughs"), not a config file. */
export const MAX_ALIASES = 100

export interface LocatedYaml {
  doc: Document
  /** Line and column of an offset in the text (1:1 when it has none). */
  at(offset: number | undefined): { line: number; column: number }
  /** YAML syntax errors, each with its place. */
  issues: ValidationIssue[]
}

/** Parses YAML keeping where every node is, for errors that name file:line:column. */
export function parseLocatedYaml(file: string, text: string): LocatedYaml {
  const lineCounter = new LineCounter()
  // The parser's own key check compares each key with every earlier one: a 1 MiB map of 30,000
  // keys took 8 s. duplicateKeyOffsets() finds the same duplicates in one pass.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false })
  const at = (offset: number | undefined) => {
    if (offset === undefined) return { line: 1, column: 1 }
    const { line, col } = lineCounter.linePos(offset)
    return { line, column: col }
  }
  const issues = [
    ...doc.errors.map((e) => ({ offset: e.pos[0], message: e.message.split('\n')[0] })),
    ...duplicateKeyOffsets(doc).map((offset) => ({ offset, message: 'Map keys must be unique' })),
  ].map((e) => ({ file, ...at(e.offset), path: '', message: `YAML: ${e.message}` }))
  return { doc, at, issues }
}

/** Where each repeated scalar key of a mapping is (a number and a string that read alike differ). */
function duplicateKeyOffsets(doc: Document): (number | undefined)[] {
  const out: (number | undefined)[] = []
  visit(doc, {
    Map(_, map) {
      const seen = new Set<string>()
      for (const { key } of map.items) {
        if (!isScalar(key)) continue
        const id = `${typeof key.value}:${String(key.value)}`
        if (seen.has(id)) out.push(key.range?.[0])
        else seen.add(id)
      }
    },
  })
  return out
}

/** The document as plain data, or why it cannot be read (an alias bomb, a stack too deep). */
export function yamlData(doc: Document): { data: unknown } | { error: string } {
  try {
    return { data: doc.toJS({ maxAliasCount: MAX_ALIASES }) }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    return {
      error: /alias/i.test(message)
        ? `too many YAML aliases (more than ${MAX_ALIASES} expansions): ${message}`
        : `the YAML cannot be read: ${message}`,
    }
  }
}

/** Start offset of the YAML node at `path`, or of its nearest existing parent. */
export function offsetOf(doc: Document, path: (string | number)[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true)
    if (isNode(node) && node.range) return node.range[0]
  }
  return undefined
}
