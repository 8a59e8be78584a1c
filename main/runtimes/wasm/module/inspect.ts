/**
 * What a Wasm file is and what it needs: for a core module its imports, exports and WASI
 * version; for a component its WIT world, as jco prints it.
 */
import { basename } from 'node:path'
import type { WasmInspectionInfo } from '../../../../contract/api.ts'
import { invalidWasm, notWasm, readWasm } from './load-module.ts'
import { sha256 } from './sha256.ts'
import { WASI_NAMESPACES, type WasiVersion } from './wasi-imports.ts'
import { wasmFormat } from './wasm-bytes.ts'

/** The contract's shape (contract/api.ts): what the API and the instance page show. */
export type WasmInspection = WasmInspectionInfo

/** The WASI version of a module, from the namespaces of its imports. */
export function wasiVersion(imports: { module: string }[]): WasiVersion | 'none' {
  for (const imp of imports) {
    const v = WASI_NAMESPACES[imp.module]
    if (v) return v
  }
  return 'none'
}

/** `import`/`export` lines of the world(s) in a WIT text, e.g. "wasi:http/incoming-handler@0.2.12". */
export function witItems(wit: string, keyword: 'import' | 'export'): string[] {
  const re = new RegExp(`^\\s*${keyword}\\s+([^;{]+?)\\s*[;{]`, 'gm')
  return [...wit.matchAll(re)].map((m) => m[1]!.trim())
}

export async function inspectWasm(file: string): Promise<WasmInspection> {
  const bytes = await readWasm(file)
  const format = wasmFormat(bytes)
  if (format === 'not-wasm') throw notWasm(file)
  const base = { file, bytes: bytes.length, sha256: sha256(bytes) }
  if (format === 'component') {
    const { componentWit } = await import('@bytecodealliance/jco')
    let wit: string
    try {
      wit = await componentWit(bytes)
    } catch (err) {
      throw invalidWasm(file, err)
    }
    return { format, ...base, wit, imports: witItems(wit, 'import'), exports: witItems(wit, 'export') }
  }
  let module: WebAssembly.Module
  try {
    module = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>)
  } catch (err) {
    throw invalidWasm(basename(file), err)
  }
  const imports = WebAssembly.Module.imports(module)
  return {
    format,
    ...base,
    wasi: wasiVersion(imports),
    imports: imports.map((i) => ({ module: i.module, name: i.name, kind: i.kind })),
    exports: WebAssembly.Module.exports(module).map((e) => ({ name: e.name, kind: e.kind })),
  }
}
