import { autocompletion, completionKeymap } from '@codemirror/autocomplete'
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands'
import { yaml } from '@codemirror/lang-yaml'
import { defaultHighlightStyle, HighlightStyle, syntaxHighlighting } from '@codemirror/language'
import { linter, lintGutter, lintKeymap } from '@codemirror/lint'
import { EditorState, StateEffect } from '@codemirror/state'
import {
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from '@codemirror/view'
import { tags } from '@lezer/highlight'
import { useEffect, useRef, useState } from 'react'
import type { ValidationIssue, ValidationResult } from '../../contract/api.ts'
import { api } from '../api.ts'
import { connection } from '../lib/connection.ts'
import { issueRange, issueText, toDiagnostics } from '../lib/editor/issue-diagnostics.ts'
import { worldCompletions, worldHover } from '../lib/editor/world-schema-hints.ts'
import { act } from '../lib/toasts.ts'
import { toUiError, type UiError } from '../lib/ui-error.ts'
import { Button, ErrorBox } from './ui.tsx'

/** Asks for the text to be checked again though it has not changed. */
const recheck = StateEffect.define<null>()

const dark = window.matchMedia('(prefers-color-scheme: dark)').matches

// The default colours are for a light page; on a dark one keys would be dark blue on near black.
const darkHighlight = HighlightStyle.define([
  { tag: tags.definition(tags.propertyName), color: '#93c5fd' },
  { tag: tags.string, color: '#86efac' },
  { tag: tags.lineComment, color: '#94a3b8', fontStyle: 'italic' },
  { tag: [tags.keyword, tags.labelName, tags.typeName], color: '#c4b5fd' },
])

const theme = EditorView.theme({
  '&': { fontSize: '12px', backgroundColor: 'transparent' },
  '&.cm-focused': { outline: '2px solid #6366f1' },
  '.cm-scroller': { fontFamily: 'ui-monospace, monospace', minHeight: '14rem', maxHeight: '32rem' },
  '.cm-gutters': { backgroundColor: 'transparent', borderRight: '1px solid rgb(148 163 184 / 0.35)' },
  '.cm-activeLine, .cm-activeLineGutter': { backgroundColor: 'rgb(148 163 184 / 0.12)' },
  '.cm-world-hint': { maxWidth: '28rem', padding: '2px 6px' },
})

/**
 * A picked world file in CodeMirror, checked as it is typed by the service itself (the same check
 * as `worldbench validate`): its issues are marked at their line and column, and listed below
 * with a jump to each. Keys and allowed values complete from the generated JSON Schema, and a
 * key says what it is for under the pointer. Save keeps it in the state dir and adds it to the list.
 */
export function WorldEditor({
  name,
  initial,
  onDone,
}: {
  name: string
  initial: string
  onDone: () => void
}) {
  const host = useRef<HTMLDivElement>(null)
  const view = useRef<EditorView>(undefined)
  const [result, setResult] = useState<ValidationResult>()
  const [checkError, setCheckError] = useState<UiError>()

  useEffect(() => {
    const check = linter(
      async (v) => {
        const doc = v.state.doc
        try {
          const r = await api.checkWorldText({ name, text: doc.toString() })
          // A verdict on text that has changed since is dropped; the change brings its own check.
          if (!v.state.doc.eq(doc)) return []
          setResult(r)
          setCheckError(undefined)
          return toDiagnostics(doc, r)
        } catch (e) {
          setResult(undefined)
          setCheckError(toUiError(e))
          return []
        }
      },
      { delay: 250, needsRefresh: (u) => u.transactions.some((t) => t.effects.some((e) => e.is(recheck))) },
    )
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: initial,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          highlightActiveLine(),
          history(),
          yaml(),
          syntaxHighlighting(dark ? darkHighlight : defaultHighlightStyle),
          lintGutter(),
          check,
          autocompletion({ override: [worldCompletions()] }),
          worldHover(),
          keymap.of([...completionKeymap, ...lintKeymap, ...defaultKeymap, ...historyKeymap, indentWithTab]),
          EditorView.darkTheme.of(dark),
          theme,
          EditorView.contentAttributes.of({ 'aria-label': 'World file text' }),
        ],
      }),
    })
    view.current = v
    // A check that failed with the connection runs again once it is back.
    const off = connection.onReconnect(() => v.dispatch({ effects: recheck.of(null) }))
    return () => {
      off()
      v.destroy()
    }
  }, [name, initial])

  const jump = (issue: ValidationIssue) => {
    const v = view.current
    if (!v) return
    const { from } = issueRange(v.state.doc, issue)
    v.dispatch({ selection: { anchor: from }, scrollIntoView: true })
    v.focus()
  }
  const save = async () => {
    const text = view.current?.state.doc.toString() ?? initial
    const added = await act(`Added ${result?.world?.name ?? name}`, () => api.uploadWorld({ name, text }))
    if (added) onDone()
  }
  return (
    <div className="mt-3" data-testid="world-editor">
      <p className="mb-1 text-xs text-slate-500">
        {name}: saved into Worldbench's state dir, where files next to it are not: a picked world can use
        container images; for worlds with their own files, open the file by its path. Ctrl-Space lists the
        keys a place may have.
      </p>
      <div ref={host} className="rounded-md border border-slate-300 dark:border-slate-700" />
      {result && !result.ok && (
        <ul
          role="alert"
          className="mt-1 space-y-0.5 text-xs text-red-700 dark:text-red-300"
          data-testid="editor-issues"
        >
          {result.issues.map((i) => (
            <li key={`${i.line}:${i.column}:${i.path}:${i.message}`}>
              <button type="button" className="font-mono underline" onClick={() => jump(i)}>
                {i.line !== undefined ? `line ${i.line}:${i.column}` : 'file'}
              </button>{' '}
              {issueText(i)}
            </li>
          ))}
        </ul>
      )}
      {result?.ok && (
        <p className="mt-1 text-xs text-emerald-700 dark:text-emerald-300" data-testid="editor-ok">
          Valid: {result.world?.name} with {result.world?.workloads.length} workload(s).
        </p>
      )}
      {checkError && (
        <div className="mt-1">
          <ErrorBox error={{ ...checkError, message: `Could not check the file: ${checkError.message}` }} />
        </div>
      )}
      <div className="mt-2 flex gap-2">
        <Button variant="primary" disabled={!result?.ok} onClick={() => void save()}>
          Save and add
        </Button>
        <Button onClick={onDone}>Cancel</Button>
      </div>
    </div>
  )
}
