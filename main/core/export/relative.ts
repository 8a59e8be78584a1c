import { isAbsolute, relative } from 'node:path'

/** A path as a file in `dir` writes it: "./x" inside, "../x" outside. */
export function relativeTo(dir: string, path: string): string {
  if (!isAbsolute(path)) return path
  const rel = relative(dir, path) || '.'
  return rel.startsWith('..') ? rel : `./${rel}`
}
