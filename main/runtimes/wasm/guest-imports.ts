/**
 * The import object a preview 1 guest gets: Node's WASI functions, wrapped so that
 * read-only directories stay read-only, denials are logged, and the live size of linear
 * memory is published after every call. Anything else the module imports is refused up
 * front, by name.
 */
import type { WASI } from 'node:wasi'
import { WorldbenchError } from '../../core/errors.ts'
import type { MemoryImport } from './memory-limit.ts'

export type WasiVersion = 'preview1' | 'unstable'
export const WASI_NAMESPACES: Record<string, WasiVersion> = {
  wasi_snapshot_preview1: 'preview1',
  wasi_unstable: 'unstable',
}

// WASI preview 1 constants (wasi_snapshot_preview1 witx)
const ERRNO_ROFS = 69
const ERRNO_NOTCAPABLE = 76
const OFLAGS_CREAT = 1
const OFLAGS_TRUNC = 8
const FDFLAGS_APPEND = 1
const RIGHTS_WRITING = (1n << 0n) | (1n << 6n) | (1n << 8n) | (1n << 22n) // datasync, write, allocate, filestat_set_size

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

export interface GuestImportsInput {
  wasi: WASI
  namespace: string
  memoryImports: MemoryImport[]
  /** Preopen fds (3, 4, … in the order given to WASI) that must stay read-only, with their guest paths. */
  readOnlyFds: Map<number, string>
  onDenied: (message: string) => void
  /** Receives memory.buffer.byteLength after each WASI call. */
  onMemory: (bytes: number) => void
}

export interface GuestImports {
  imports: WebAssembly.Imports
  /** Call once the instance exists: the wrappers read paths and fds out of its memory. */
  bind(instance: WebAssembly.Instance): void
  memoryBytes(): number
}

type Fn = (...args: never[]) => number

export function guestImports(input: GuestImportsInput): GuestImports {
  const base = input.wasi.getImportObject() as Record<string, Record<string, Fn>>
  const wasiFns = base[input.namespace] ?? base.wasi_snapshot_preview1!
  let memory: WebAssembly.Memory | undefined
  const readOnly = new Map(input.readOnlyFds)
  const view = () => new DataView(memory!.buffer)
  const pathAt = (ptr: number, len: number) =>
    new TextDecoder().decode(new Uint8Array(memory!.buffer, ptr, len))
  const where = (fd: number) => readOnly.get(fd) ?? `fd ${fd}`
  const deny = (what: string) => {
    input.onDenied(what)
    return ERRNO_ROFS
  }

  const fns: Record<string, Fn> = {}
  for (const [name, fn] of Object.entries(wasiFns)) {
    fns[name] = ((...args: number[]) => {
      const r = (fn as (...a: number[]) => number)(...args)
      if (memory) input.onMemory(memory.buffer.byteLength)
      return r
    }) as Fn
  }
  const call = (name: string, args: unknown[]) =>
    (wasiFns[name] as unknown as (...a: unknown[]) => number)(...args)

  fns.path_open = ((
    fd: number,
    dirflags: number,
    pathPtr: number,
    pathLen: number,
    oflags: number,
    rightsBase: bigint,
    rightsInh: bigint,
    fdflags: number,
    openedPtr: number,
  ) => {
    const path = pathAt(pathPtr, pathLen)
    const writing =
      (oflags & (OFLAGS_CREAT | OFLAGS_TRUNC)) !== 0 ||
      (BigInt(rightsBase) & RIGHTS_WRITING) !== 0n ||
      (fdflags & FDFLAGS_APPEND) !== 0
    if (readOnly.has(fd) && writing)
      return deny(`denied: write access to "${path}" in read-only directory ${where(fd)}`)
    const r = call('path_open', [
      fd,
      dirflags,
      pathPtr,
      pathLen,
      oflags,
      rightsBase,
      rightsInh,
      fdflags,
      openedPtr,
    ])
    if (r === 0 && readOnly.has(fd)) readOnly.set(view().getUint32(openedPtr, true), `${where(fd)}/${path}`)
    if (r === ERRNO_NOTCAPABLE)
      input.onDenied(`denied: "${path}" is outside the directories this workload declares`)
    return r
  }) as Fn

  const refuseOnReadOnly = (name: string, fdArgs: number[], pathArg?: [number, number]) => {
    fns[name] = ((...args: number[]) => {
      for (const i of fdArgs) {
        if (readOnly.has(args[i]!)) {
          const path = pathArg ? ` "${pathAt(args[pathArg[0]]!, args[pathArg[1]]!)}"` : ''
          return deny(`denied: ${name}${path} in read-only directory ${where(args[i]!)}`)
        }
      }
      return call(name, args)
    }) as Fn
  }
  refuseOnReadOnly('path_create_directory', [0], [1, 2])
  refuseOnReadOnly('path_remove_directory', [0], [1, 2])
  refuseOnReadOnly('path_unlink_file', [0], [1, 2])
  refuseOnReadOnly('path_filestat_set_times', [0], [2, 3])
  refuseOnReadOnly('path_rename', [0, 3], [1, 2])
  refuseOnReadOnly('path_link', [0, 4], [2, 3])
  refuseOnReadOnly('path_symlink', [2], [3, 4])
  refuseOnReadOnly('fd_write', [0])
  refuseOnReadOnly('fd_pwrite', [0])
  refuseOnReadOnly('fd_allocate', [0])
  refuseOnReadOnly('fd_filestat_set_size', [0])
  refuseOnReadOnly('fd_filestat_set_times', [0])

  fns.fd_close = ((fd: number) => {
    const r = call('fd_close', [fd])
    if (r === 0) readOnly.delete(fd)
    return r
  }) as Fn
  fns.fd_renumber = ((from: number, to: number) => {
    const r = call('fd_renumber', [from, to])
    if (r === 0) {
      const ro = readOnly.get(from)
      readOnly.delete(from)
      if (ro !== undefined) readOnly.set(to, ro)
      else readOnly.delete(to)
    }
    return r
  }) as Fn

  const imports: WebAssembly.Imports = { [input.namespace]: fns }
  const supplied: WebAssembly.Memory[] = []
  for (const m of input.memoryImports) {
    const mem = new WebAssembly.Memory(
      m.maximumPages === undefined
        ? { initial: m.initialPages }
        : { initial: m.initialPages, maximum: m.maximumPages },
    )
    supplied.push(mem)
    imports[m.module] = { ...(imports[m.module] as object), [m.name]: mem }
  }
  memory = supplied[0]
  return {
    imports,
    bind(instance) {
      const exported = instance.exports.memory
      if (exported instanceof WebAssembly.Memory) memory = exported
    },
    memoryBytes: () => memory?.buffer.byteLength ?? 0,
  }
}
