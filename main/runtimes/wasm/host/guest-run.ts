/**
 * One run of a preview 1 guest: a fresh WASI context and instance of an already compiled
 * module, with exactly the args, env, directories and stdio fds given. Synchronous: the
 * caller (a worker thread) is what a wall-clock limit terminates.
 */
import { realpathSync, statSync } from 'node:fs'
import { WASI } from 'node:wasi'
import { isErrnoCode, WorldbenchError } from '../../../core/errors.ts'
import type { MemoryImport } from '../module/memory-limit.ts'
import { WASI_NAMESPACES } from '../module/wasi-imports.ts'
import { guestImports } from './guest-imports.ts'
import type { GuestDir } from './protocol.ts'

export interface GuestSpec {
  module: WebAssembly.Module
  memoryImports: MemoryImport[]
  /** argv[0], then the workload's args. */
  argv: string[]
  env: Record<string, string>
  dirs: GuestDir[]
}

export interface GuestIo {
  stdin: number
  stdout: number
  stderr: number
}

export interface GuestResult {
  exitCode: number
  memoryBytes: number
}

export interface GuestHooks {
  onDenied: (message: string) => void
  onMemory: (bytes: number) => void
}

export function namespaceOf(module: WebAssembly.Module): string {
  const ns = WebAssembly.Module.imports(module).find((i) => WASI_NAMESPACES[i.module])?.module
  return ns ?? 'wasi_snapshot_preview1'
}

export function runGuest(spec: GuestSpec, io: GuestIo, hooks: GuestHooks): GuestResult {
  const namespace = namespaceOf(spec.module)
  // Real paths: the sandbox layer resolves every guest path below them, and node:wasi's own
  // record of each preopen must be the same path.
  const dirs = spec.dirs.map((d) => ({ host: realDir(d.host), guest: d.guest, writable: d.writable }))
  // Node's WASI numbers preopens 3, 4, … in the order of this object.
  const preopens = Object.fromEntries(dirs.map((d) => [d.guest, d.host]))
  const wasi = new WASI({
    version: WASI_NAMESPACES[namespace]!,
    args: spec.argv,
    env: spec.env,
    preopens,
    returnOnExit: true,
    stdin: io.stdin,
    stdout: io.stdout,
    stderr: io.stderr,
  })
  const g = guestImports({
    wasi,
    namespace,
    memoryImports: spec.memoryImports,
    preopens: dirs,
    onDenied: hooks.onDenied,
    onMemory: hooks.onMemory,
  })
  const instance = new WebAssembly.Instance(spec.module, g.imports)
  g.bind(instance)
  try {
    const exitCode = wasi.start(instance)
    return { exitCode, memoryBytes: g.memoryBytes() }
  } catch (err) {
    if (err instanceof WebAssembly.RuntimeError) {
      throw new WorldbenchError(
        'WASM_TRAP',
        `The guest trapped: ${err.message}.`,
        'A trap is a fault in the guest (abort, out-of-bounds access, division by zero…); check its stderr lines just before.',
        {
          trap: err.message,
          memoryBytes: g.memoryBytes(),
        },
      )
    }
    throw err
  }
}

function realDir(host: string): string {
  let real: string
  try {
    real = realpathSync(host)
  } catch (err) {
    if (!isErrnoCode(err, 'ENOENT')) throw err
    throw new WorldbenchError(
      'WASM_DIR_MISSING',
      `The directory ${host} given to the guest does not exist.`,
      'Create it, or fix the host side of the directory (wasm.dirs[].host or --dir HOST:GUEST).',
    )
  }
  if (!statSync(real).isDirectory())
    throw new WorldbenchError(
      'WASM_DIR_NOT_DIRECTORY',
      `${host} is a file; only a directory can be given to the guest.`,
      'Give the folder that holds it instead (--dir FOLDER:/GUEST, or wasm.dirs[].host).',
    )
  return real
}
