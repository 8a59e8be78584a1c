import { CompletionContext } from '@codemirror/autocomplete'
import { yaml } from '@codemirror/lang-yaml'
import { EditorState } from '@codemirror/state'
import { describe, expect, it } from 'vitest'
import { issueRange, toDiagnostics } from '../../renderer/lib/editor/issue-diagnostics.ts'
import { schemaAt, worldCompletions, worldSchema } from '../../renderer/lib/editor/world-schema-hints.ts'
import { contextAt } from '../../renderer/lib/editor/yaml-context.ts'

const WORLD = [
  'apiVersion: worldbench/v1',
  'name: picked',
  'workloads:',
  '  - name: web',
  '    kind: container',
  '    container: { image: a }',
  '    ports: [{ host: 0, guest: 8080 }]',
]

/** A real CodeMirror state with the YAML language; `|` in the text marks the cursor. */
function at(lines: string[]) {
  const text = lines.join('\n')
  const pos = text.indexOf('|')
  const state = EditorState.create({ doc: text.replace('|', ''), extensions: [yaml()] })
  return { state, pos }
}

function complete(lines: string[], explicit = true): string[] {
  const { state, pos } = at(lines)
  const result = worldCompletions()(new CompletionContext(state, pos, explicit))
  return result?.options.map((o) => o.label) ?? []
}

describe('the world editor: where the cursor is in the YAML', () => {
  it('reads a half-typed key in a workload, with the keys it already has', () => {
    const { state, pos } = at([...WORLD, '    lim|'])
    expect(contextAt(state, pos)).toEqual({
      role: 'key',
      path: ['workloads', 0],
      from: pos - 3,
      present: ['name', 'kind', 'container', 'ports'],
    })
  })

  it('reads the value of a key, in block and flow style', () => {
    const block = at([...WORLD.slice(0, 4), '    kind: co|'])
    expect(contextAt(block.state, block.pos)).toMatchObject({ role: 'value', path: ['workloads', 0, 'kind'] })
    const flow = at([...WORLD.slice(0, 5), '    wasm: { module: a.wasm, serve: |'])
    expect(contextAt(flow.state, flow.pos)).toMatchObject({
      role: 'value',
      path: ['workloads', 0, 'wasm', 'serve'],
    })
  })

  it('finds the mapping of a blank line by its indentation, and a new sequence item', () => {
    const blank = at([...WORLD, '    |'])
    expect(contextAt(blank.state, blank.pos)).toMatchObject({ role: 'key', path: ['workloads', 0] })
    const item = at([...WORLD, '  - |'])
    expect(contextAt(item.state, item.pos)).toEqual({
      role: 'key',
      path: ['workloads', 1],
      from: item.pos,
      present: [],
    })
    const nested = at([...WORLD, '    limits: # caps', '      |'])
    expect(contextAt(nested.state, nested.pos)).toMatchObject({
      role: 'key',
      path: ['workloads', 0, 'limits'],
    })
    const sibling = at([...WORLD, '    limits:', '      memoryMiB: 64', '', '      |'])
    expect(contextAt(sibling.state, sibling.pos)).toMatchObject({
      role: 'key',
      path: ['workloads', 0, 'limits'],
      present: ['memoryMiB'],
    })
  })
})

describe('the world editor: completions from the generated JSON Schema', () => {
  it('offers the keys a workload may still have, not the ones it has', () => {
    const keys = complete([...WORLD, '    lim|'], false)
    expect(keys).toContain('limits')
    expect(keys).toContain('dependsOn')
    expect(keys).not.toContain('name')
    expect(keys).not.toContain('ports')
  })

  it('offers the allowed values of an enum, a const and a boolean', () => {
    expect(complete([...WORLD.slice(0, 4), '    kind: |'])).toEqual(['vm', 'container', 'wasm'])
    expect(complete(['apiVersion: |'])).toEqual(['worldbench/v1'])
    expect(complete([...WORLD, '    ready: { tcp: |'])).toEqual(['true', 'false'])
  })

  it('offers keys inside a flow mapping and at the top level (the editor filters them by what is typed)', () => {
    const flow = complete([...WORLD.slice(0, 5), '    container: { image: a, bu| }'], false)
    expect(flow).toContain('build')
    expect(flow).not.toContain('image')
    expect(complete(['apiVersion: worldbench/v1', 'desc|'], false)).toEqual([
      'name',
      'description',
      'networks',
      'workloads',
    ])
  })

  it('stays quiet while nothing is typed unless asked, and where the schema has nothing', () => {
    expect(complete([...WORLD, '    |'], false)).toEqual([])
    expect(complete([...WORLD, '    |'], true)).toContain('limits')
    expect(complete([...WORLD.slice(0, 4), '    name: |'])).toEqual([])
  })

  it('reads the generated schema: a port of a workload is an integer', () => {
    expect(schemaAt(worldSchema, ['workloads', 3, 'ports', 0, 'guest'])?.type).toBe('integer')
    expect(schemaAt(worldSchema, ['workloads', 0, 'nope'])).toBeUndefined()
  })
})

describe("the world editor: the service's issues as diagnostics", () => {
  const doc = EditorState.create({ doc: WORLD.join('\n') }).doc

  it('marks the token at the line and column the service names', () => {
    const { from, to } = issueRange(doc, {
      file: 'x.yaml',
      line: 7,
      column: 31,
      path: 'workloads.0.ports.0.guest',
      message: 'Too big',
    })
    expect(doc.sliceString(from, to)).toBe('8080')
    expect(doc.lineAt(from).number).toBe(7)
  })

  it('keeps a stale or lineless issue inside the text', () => {
    const past = issueRange(doc, { file: 'x', line: 99, column: 99, path: '', message: 'm' })
    expect(past).toEqual({ from: doc.length, to: doc.length })
    const lineless = issueRange(doc, { file: 'x', path: '', message: 'm' })
    expect(doc.sliceString(lineless.from, lineless.to)).toBe(WORLD[0])
  })

  it('turns issues into errors and warnings with the path in the message', () => {
    const ds = toDiagnostics(doc, {
      ok: false,
      issues: [{ file: 'x', line: 2, column: 7, path: 'name', message: 'Invalid' }],
      warnings: [{ file: 'x', line: 1, column: 1, path: '', message: 'Careful' }],
    })
    expect(ds.map((d) => [d.severity, d.message, doc.sliceString(d.from, d.to)])).toEqual([
      ['error', 'name: Invalid', 'picked'],
      ['warning', 'Careful', 'apiVersion:'],
    ])
  })
})
