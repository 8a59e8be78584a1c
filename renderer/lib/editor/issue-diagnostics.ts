import type { Diagnostic } from '@codemirror/lint'
import type { Text } from '@codemirror/state'
import type { ValidationIssue, ValidationResult } from '../../../contract/api.ts'

// A YAML scalar at the start of a string: quoted, or plain up to a space, a comma or a bracket.
const TOKEN = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s,\]}#]+)/

/**
 * The text an issue points at: from its line and column (1-based, as the service counts them)
 * to the end of the token there, clamped to the document it is shown in, which may have
 * changed since. An issue without a line marks the first line.
 */
export function issueRange(doc: Text, issue: ValidationIssue): { from: number; to: number } {
  if (issue.line === undefined) {
    const first = doc.line(1)
    return { from: first.from, to: first.to }
  }
  const line = doc.line(Math.min(Math.max(issue.line, 1), doc.lines))
  const column = Math.min(Math.max((issue.column ?? 1) - 1, 0), line.length)
  const token = TOKEN.exec(line.text.slice(column))?.[0] ?? ''
  return { from: line.from + column, to: line.from + column + token.length }
}

export function issueText(issue: ValidationIssue): string {
  return issue.path ? `${issue.path}: ${issue.message}` : issue.message
}

/** The service's verdict on a text as editor diagnostics: its issues as errors, its warnings as warnings. */
export function toDiagnostics(doc: Text, result: ValidationResult): Diagnostic[] {
  const of = (issue: ValidationIssue, severity: 'error' | 'warning'): Diagnostic => ({
    ...issueRange(doc, issue),
    severity,
    message: issueText(issue),
    source: 'worldbench validate',
  })
  return [
    ...result.issues.map((i) => of(i, 'error')),
    ...(result.warnings ?? []).map((i) => of(i, 'warning')),
  ]
}
