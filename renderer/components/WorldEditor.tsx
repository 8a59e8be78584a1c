import { useEffect, useRef, useState } from 'react'
import type { ValidationResult } from '../../contract/api.ts'
import { api } from '../api.ts'
import { act } from '../lib/toasts.ts'
import { Button } from './ui.tsx'

/** Offset of the start of a 1-based line in a text. */
function lineOffset(text: string, line: number): number {
  let at = 0
  for (let n = 1; n < line; n++) {
    const next = text.indexOf('\n', at)
    if (next < 0) return text.length
    at = next + 1
  }
  return at
}

/**
 * A picked world file in an editor, checked against the schema as it is typed (the same check
 * as `worldbench validate`); each issue names its line and jumps there. Save keeps it in the
 * state dir and adds it to the list.
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
  const [text, setText] = useState(initial)
  const [result, setResult] = useState<ValidationResult>()
  const area = useRef<HTMLTextAreaElement>(null)
  useEffect(() => {
    const t = setTimeout(
      () =>
        void api
          .checkWorldText({ name, text })
          .then(setResult)
          .catch(() => undefined),
      250,
    )
    return () => clearTimeout(t)
  }, [name, text])
  const jump = (line: number | undefined, column = 1) => {
    const el = area.current
    if (!el || line === undefined) return
    const at = lineOffset(text, line) + column - 1
    el.focus()
    el.setSelectionRange(at, at)
  }
  const save = async () => {
    const added = await act(`Added ${result?.world?.name ?? name}`, () => api.uploadWorld({ name, text }))
    if (added) onDone()
  }
  return (
    <div className="mt-3" data-testid="world-editor">
      <p className="mb-1 text-xs text-slate-500">
        {name}: saved into Worldbench's state dir, where files next to it are not: a picked world can use
        container images; for worlds with their own files, open the file by its path.
      </p>
      <textarea
        ref={area}
        aria-label="World file text"
        spellCheck={false}
        value={text}
        onChange={(e) => setText(e.target.value)}
        rows={14}
        className="w-full rounded-md border border-slate-300 p-2 font-mono text-xs dark:border-slate-700 dark:bg-slate-800"
      />
      {result && !result.ok && (
        <ul
          role="alert"
          className="mt-1 space-y-0.5 text-xs text-red-700 dark:text-red-300"
          data-testid="editor-issues"
        >
          {result.issues.map((i) => (
            <li key={`${i.line}:${i.column}:${i.path}:${i.message}`}>
              <button type="button" className="font-mono underline" onClick={() => jump(i.line, i.column)}>
                {i.line !== undefined ? `line ${i.line}:${i.column}` : 'file'}
              </button>{' '}
              {i.path && <span className="font-mono">{i.path}: </span>}
              {i.message}
            </li>
          ))}
        </ul>
      )}
      {result?.ok && (
        <p className="mt-1 text-xs text-emerald-700 dark:text-emerald-300" data-testid="editor-ok">
          Valid: {result.world?.name} with {result.world?.workloads.length} workload(s).
        </p>
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
