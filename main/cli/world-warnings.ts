import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import type { ValidationIssue } from '../../contract/api.ts'
import { formatIssue, validateWorldFile } from '../core/world/load.ts'

export function printWarnings(warnings: ValidationIssue[] = []): void {
  for (const w of warnings) process.stderr.write(`warning: ${formatIssue(w).trim()}\n`)
}

/** Prints what a world file (a Compose file, mostly) asks for but will not get, before it is started. */
export async function printWorldWarnings(ref: string): Promise<void> {
  const file = resolve(ref)
  if (!existsSync(file) || !statSync(file).isFile()) return
  printWarnings((await validateWorldFile(file)).warnings)
}
