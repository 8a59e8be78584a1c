/**
 * What a preview 1 module may import from Worldbench: the WASI namespaces and functions Node's
 * WASI has, and memories the host supplies. Anything else is refused up front, by name.
 */
import { WorldbenchError } from '../../../core/errors.ts'
import type { MemoryImport } from './memory-limit.ts'

export type WasiVersion = 'preview1' | 'unstable'
export const WASI_NAMESPACES: Record<string, WasiVersion> = {
  wasi_snapshot_preview1: 'preview1',
  wasi_unstable: 'unstable',
}

/** Names every import this engine cannot give the module (module.name), or throws nothing. */
export function assertImportsSatisfiable(
  module: WebAssembly.Module,
  wasiNames: Set<string>,
  memoryImports: MemoryImport[],
  what: string,
): void {
  const missing: string[] = []
  for (const imp of WebAssembly.Module.imports(module)) {
    if (WASI_NAMESPACES[imp.module] && imp.kind === 'function' && wasiNames.has(imp.name)) continue
    if (imp.kind === 'memory' && memoryImports.some((m) => m.module === imp.module && m.name === imp.name))
      continue
    missing.push(`${imp.module}.${imp.name} (${imp.kind})`)
  }
  if (missing.length > 0) {
    throw new WorldbenchError(
      'WASM_UNSATISFIED_IMPORTS',
      `${what} imports ${missing.length === 1 ? 'something' : `${missing.length} things`} this engine cannot provide: ${missing.join(', ')}.`,
      'Worldbench gives a module WASI preview 1 (wasi_snapshot_preview1 or wasi_unstable) and nothing else; rebuild it for wasm32-wasi without other host imports.',
      { missing },
    )
  }
}
