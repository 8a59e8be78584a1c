/**
 * The import object a preview 1 guest gets: Node's WASI functions, wrapped so that every path
 * is resolved inside its preopen by us (sandboxed-paths.ts), read-only directories stay
 * read-only, denials are logged, and the live size of linear memory is published after every
 * call. Anything else the module imports is refused up front, by name.
 */
import type { WASI } from 'node:wasi'
import type { MemoryImport } from '../module/memory-limit.ts'
import { GuestFds, type Preopen } from './guest-fds.ts'
import { sandboxedPaths } from './sandboxed-paths.ts'
import { unsigned } from './unsigned-args.ts'
import { ERRNO } from './wasi-errno.ts'
import { fixFdFunctions } from './wasi-fd-fixes.ts'
import { readdirFor } from './wasi-readdir.ts'

export interface GuestImportsInput {
  wasi: WASI
  namespace: string
  memoryImports: MemoryImport[]
  /** The directories given to WASI, in order (fds 3, 4, …), with real host paths. */
  preopens: Preopen[]
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
  const fds = new GuestFds(input.preopens)

  const fns: Record<string, Fn> = {}
  for (const [name, fn] of Object.entries(wasiFns)) {
    fns[name] = ((...args: number[]) => {
      const r = (fn as (...a: number[]) => number)(...args.map(unsigned))
      if (memory) input.onMemory(memory.buffer.byteLength)
      return r
    }) as Fn
  }
  const paths = sandboxedPaths({ wasiFns: { ...fns }, fds, memory: () => memory!, onDenied: input.onDenied })
  Object.assign(fns, paths)

  const around = (name: string, wrapper: (inner: (...a: number[]) => number, ...a: number[]) => number) => {
    const inner = fns[name] as unknown as (...a: number[]) => number
    fns[name] = ((...a: number[]) => wrapper(inner, ...a)) as Fn
  }
  for (const name of [
    'fd_write',
    'fd_pwrite',
    'fd_allocate',
    'fd_filestat_set_size',
    'fd_filestat_set_times',
  ]) {
    around(name, (inner, fd, ...rest) => {
      if (fds.get(fd!)?.preopen.writable === false) {
        input.onDenied(`denied: ${name} in read-only directory ${fds.label(fd!)}`)
        return ERRNO.ROFS
      }
      return inner(fd!, ...rest)
    })
  }
  fixFdFunctions(fns, around, fds, () => memory!)
  around(
    'fd_readdir',
    readdirFor(fds, () => memory!),
  )
  around('fd_close', (inner, fd) => {
    const r = inner(fd!)
    if (r === 0) fds.close(fd!)
    return r
  })
  around('fd_renumber', (inner, from, to) => {
    const r = inner(from!, to!)
    if (r === 0) fds.renumber(from!, to!)
    return r
  })

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
