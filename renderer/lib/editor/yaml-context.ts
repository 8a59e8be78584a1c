import { ensureSyntaxTree, syntaxTree } from '@codemirror/language'
import type { EditorState } from '@codemirror/state'
import type { SyntaxNode } from '@lezer/common'

/** Keys and sequence indexes from the document root, e.g. ['workloads', 0, 'limits']. */
export type YamlPath = (string | number)[]

/** What the cursor is on: a key of the mapping at `path` (with the keys it has), or the value of `path`. */
export type YamlContext =
  | { role: 'key'; path: YamlPath; from: number; present: string[] }
  | { role: 'value'; path: YamlPath; from: number }

const MAPPINGS = new Set(['BlockMapping', 'FlowMapping'])

/** The parse of the whole text (a world file is small), even right after an edit. */
export function treeOf(state: EditorState) {
  return ensureSyntaxTree(state, state.doc.length, 200) ?? syntaxTree(state)
}

function scalar(state: EditorState, node: SyntaxNode): string {
  return state.sliceDoc(node.from, node.to).replace(/^(["'])(.*)\1$/s, '$2')
}

/** The key of a Pair node, unquoted. */
export function keyOf(state: EditorState, pair: SyntaxNode): string | undefined {
  const key = pair.getChild('Key')
  return key ? scalar(state, key) : undefined
}

/** Where a node sits: the keys of the pairs and the indexes of the items around it. */
export function pathOf(state: EditorState, node: SyntaxNode | null): YamlPath {
  const path: YamlPath = []
  for (let n = node; n; n = n.parent) {
    if (n.name === 'Pair') {
      const key = keyOf(state, n)
      if (key !== undefined) path.unshift(key)
    } else if (n.name === 'Item') {
      let index = 0
      for (let s = n.prevSibling; s; s = s.prevSibling) if (s.name === 'Item') index++
      path.unshift(index)
    }
  }
  return path
}

function keysOf(state: EditorState, mapping: SyntaxNode | null): string[] {
  if (!mapping || !MAPPINGS.has(mapping.name)) return []
  return mapping.getChildren('Pair').flatMap((p) => keyOf(state, p) ?? [])
}

/** The Pair whose key starts at `pos`, if there is one. */
function pairAt(state: EditorState, pos: number): SyntaxNode | undefined {
  for (let n: SyntaxNode | null = treeOf(state).resolveInner(pos, 1); n; n = n.parent)
    if (n.name === 'Pair') return n
  return undefined
}

// A block line with a key: its indentation (with any "- ") and what follows the colon.
const KEY_LINE = /^([ \t]*(?:-[ \t]+)*)[^\s#:][^:#]*?:(?:[ \t]+(.*))?$/

/**
 * In block YAML, which mapping a blank place at `column` belongs to: the nearest line above with
 * a key at that column (after any "- ") is a sibling; a less indented "key:" with nothing after
 * it is the parent whose mapping this starts.
 */
function anchorAbove(
  state: EditorState,
  lineNumber: number,
  column: number,
): { pos: number; parent: boolean } | undefined {
  for (let n = lineNumber - 1; n >= 1; n--) {
    const line = state.doc.line(n)
    if (line.text.trim() === '' || line.text.trimStart().startsWith('#')) continue
    const m = KEY_LINE.exec(line.text)
    if (!m) {
      if (/^\s*/.exec(line.text)![0].length < column) return undefined
      continue
    }
    const keyColumn = m[1]!.length
    if (keyColumn === column) return { pos: line.from + column, parent: false }
    const bare = (m[2] ?? '').replace(/#.*/, '').trim() === ''
    if (keyColumn < column) return bare ? { pos: line.from + keyColumn, parent: true } : undefined
  }
  return undefined
}

/** What a completion or a hover at `pos` is about, read from the YAML syntax tree. */
export function contextAt(state: EditorState, pos: number): YamlContext | undefined {
  const line = state.doc.lineAt(pos)
  const before = state.sliceDoc(line.from, pos)

  const value = /([\w-]+|"[^"]*"|'[^']*'):[ \t]+([\w./-]*)$/.exec(before)
  if (value) {
    const pair = pairAt(state, line.from + value.index)
    if (!pair) return undefined
    return { role: 'value', path: pathOf(state, pair), from: pos - value[2]!.length }
  }

  const key = /(^[ \t]*((?:-[ \t]+)*)|[{,][ \t]*)([\w-]*)$/.exec(before)
  if (!key) return undefined
  const typed = key[3]!
  const from = pos - typed.length
  const newItem = (key[2] ?? '') !== ''
  if (typed !== '') {
    const node = treeOf(state).resolveInner(from, 1)
    const inKey = node.parent?.name === 'Key' ? node.parent.parent : undefined
    if (inKey?.name === 'Pair') {
      const mapping = inKey.parent
      const present = keysOf(state, mapping).filter((k) => k !== typed)
      return { role: 'key', path: pathOf(state, mapping), from, present }
    }
    // "- na": a scalar item, about to be the first key of a new mapping in the sequence.
    if (node.parent?.name === 'Item')
      return { role: 'key', path: pathOf(state, node.parent), from, present: [] }
  }
  // A blank place: find its mapping by indentation.
  const column = before.length - typed.length
  const anchor = anchorAbove(state, line.number, column)
  const pair = anchor && pairAt(state, anchor.pos)
  if (!anchor || !pair)
    return column === 0
      ? { role: 'key', path: [], from, present: keysOf(state, topMapping(state)) }
      : undefined
  if (anchor.parent)
    return { role: 'key', path: [...pathOf(state, pair), ...(newItem ? [0] : [])], from, present: [] }
  const path = pathOf(state, pair.parent)
  const last = path.at(-1)
  if (newItem)
    return {
      role: 'key',
      path: typeof last === 'number' ? [...path.slice(0, -1), last + 1] : path,
      from,
      present: [],
    }
  return { role: 'key', path, from, present: keysOf(state, pair.parent) }
}

function topMapping(state: EditorState): SyntaxNode | null {
  return treeOf(state).topNode.firstChild?.firstChild ?? null
}
