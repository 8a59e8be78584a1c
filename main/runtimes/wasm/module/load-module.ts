/**
 * Reads, checks, caps and compiles a preview 1 module, turning each way it can be wrong into
 * a WorldbenchError: not Wasm, a component where a module is needed, invalid bytes (the
 * engine's validation message), or imports the engine cannot satisfy.
 */
import { basename } from 'node:path'
import { WASI } from 'node:wasi'
import { isErrnoCode, WorldbenchError } from '../../../core/errors.ts'
import { readBoundedFile } from '../../../core/read-bounded.ts'
import { capMemory, type MemoryImport } from './memory-limit.ts'
import { assertImportsSatisfiable, WASI_NAMESPACES } from './wasi-imports.ts'
import { wasmFormat } from './wasm-bytes.ts'

export interface LoadedModule {
  module: WebAssembly.Module
  memoryImports: MemoryImport[]
  bytes: number
  compileMs: number
  /** Compiled by an earlier load in this process: this one compiled nothing. */
  cacheHit?: boolean
}

/**
 * Compiled modules of this process, by content and memory cap: compile once, instantiate often.
 * Compared byte for byte rather than by hash: a host process then never loads node:crypto (~3 MiB).
 */
const compiled: { bytes: Uint8Array; memoryMiB: number | undefined; loaded: LoadedModule }[] = []

/** Far above any real module or component (a componentized JS runtime is ~14 MB). */
const MAX_WASM_BYTES = 512 << 20

export async function readWasm(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readBoundedFile(file, MAX_WASM_BYTES, 'Wasm file'))
  } catch (err) {
    if (isErrnoCode(err, 'ENOENT'))
      throw new WorldbenchError(
        'WASM_NOT_FOUND',
        `No Wasm file at ${file}.`,
        'Check the path, or build the module first (e.g. "bash scripts/build-wasm-samples.sh").',
      )
    throw err
  }
}

export function notWasm(file: string): WorldbenchError {
  return new WorldbenchError(
    'WASM_NOT_WASM',
    `${basename(file)} is not a WebAssembly file (it does not start with the "\\0asm" magic bytes).`,
    `Point the workload at a .wasm module or component; ${file} is something else.`,
  )
}

export function invalidWasm(file: string, err: unknown): WorldbenchError {
  const message = err instanceof Error ? err.message.replace(/^WebAssembly\.Module\(\): /, '') : String(err)
  return new WorldbenchError(
    'WASM_INVALID',
    `${basename(file)} is not a valid WebAssembly module: ${message}`,
    'The file is truncated or corrupt, or was built for features this engine lacks; rebuild it.',
  )
}

export async function loadModule(file: string, memoryMiB: number | undefined): Promise<LoadedModule> {
  const bytes = await readWasm(file)
  const format = wasmFormat(bytes)
  if (format === 'not-wasm') throw notWasm(file)
  if (format === 'component') {
    throw new WorldbenchError(
      'WASM_IS_COMPONENT',
      `${basename(file)} is a Wasm component, not a core module.`,
      'Serve components with "serve: http" (wasi:http/proxy); command and cgi run preview 1 modules.',
    )
  }
  const cached = compiled.find((c) => c.memoryMiB === memoryMiB && Buffer.compare(c.bytes, bytes) === 0)
  if (cached) return { ...cached.loaded, cacheHit: true }
  let capped: ReturnType<typeof capMemory>
  try {
    capped = capMemory(bytes, memoryMiB, basename(file))
  } catch (err) {
    if (err instanceof WorldbenchError) throw err
    throw invalidWasm(file, err)
  }
  const t0 = performance.now()
  let module: WebAssembly.Module
  try {
    module = await WebAssembly.compile(capped.bytes as Uint8Array<ArrayBuffer>)
  } catch (err) {
    throw invalidWasm(file, err)
  }
  const compileMs = performance.now() - t0
  const ns =
    WebAssembly.Module.imports(module).find((i) => WASI_NAMESPACES[i.module])?.module ??
    'wasi_snapshot_preview1'
  const wasiNames = new Set(
    Object.keys(
      (new WASI({ version: WASI_NAMESPACES[ns]! }).getImportObject() as Record<string, object>)[ns] ?? {},
    ),
  )
  assertImportsSatisfiable(module, wasiNames, capped.memoryImports, basename(file))
  if (!WebAssembly.Module.exports(module).some((e) => e.name === '_start' && e.kind === 'function')) {
    throw new WorldbenchError(
      'WASM_NO_START',
      `${basename(file)} has no _start function: it is a library (reactor), not a program.`,
      'Build it as a command (a C/Rust program with main), e.g. clang --target=wasm32-wasi.',
    )
  }
  const loaded = { module, memoryImports: capped.memoryImports, bytes: bytes.length, compileMs }
  compiled.push({ bytes, memoryMiB, loaded })
  return loaded
}
