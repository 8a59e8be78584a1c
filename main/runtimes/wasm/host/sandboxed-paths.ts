/**
 * The WASI path functions, each put behind our own lookup (resolve-beneath.ts) before node:wasi
 * sees it: a path that would leave the directory fd it starts from (through a symlink, "..",
 * or an absolute symlink) is refused with ENOTCAPABLE and logged; one that stays inside is
 * handed to node:wasi already resolved (no symlink before its last component), so node:wasi's
 * own lookup cannot wander off either. Writes under a read-only preopen are refused with EROFS.
 * A guest cannot change the tree between our lookup and node:wasi's (WASI calls are
 * synchronous); another process writing the same directory at that instant could.
 */
import { lstatSync, readlinkSync, statSync } from 'node:fs'
import type { GuestFds, Preopen } from './guest-fds.ts'
import { resolveBeneath } from './resolve-beneath.ts'
import { withScratch } from './scratch-memory.ts'
import { unsigned } from './unsigned-args.ts'
import { ERRNO } from './wasi-errno.ts'

type Fn = (...args: never[]) => number
type Args = (number | bigint)[]

const LOOKUP_SYMLINK_FOLLOW = 1
const OFLAGS_CREAT = 1
const OFLAGS_DIRECTORY = 2
const OFLAGS_TRUNC = 8
const FDFLAGS_APPEND = 1
const RIGHTS_WRITING = (1n << 0n) | (1n << 6n) | (1n << 8n) | (1n << 22n) // datasync, write, allocate, filestat_set_size

interface PathArg {
  fd: number
  ptr: number
  len: number
  /** Index of the lookupflags argument; absent: a last-component symlink is not followed. */
  flags?: number
}

interface PathFnSpec {
  paths: PathArg[]
  writes: (args: Args) => boolean
  /** Where the call writes its results, as [pointer, length]: scratch strings must not overlap them. */
  outputs: (args: Args) => [number, number][]
}

const always = () => true
const never = () => false
const none = () => []

const SPECS: Record<string, PathFnSpec> = {
  path_open: {
    paths: [{ fd: 0, flags: 1, ptr: 2, len: 3 }],
    writes: (a) =>
      (Number(a[4]) & (OFLAGS_CREAT | OFLAGS_TRUNC)) !== 0 ||
      (BigInt(a[5]!) & RIGHTS_WRITING) !== 0n ||
      (Number(a[7]) & FDFLAGS_APPEND) !== 0,
    outputs: (a) => [[Number(a[8]), 4]],
  },
  path_filestat_get: {
    paths: [{ fd: 0, flags: 1, ptr: 2, len: 3 }],
    writes: never,
    outputs: (a) => [[Number(a[4]), 64]],
  },
  path_filestat_set_times: { paths: [{ fd: 0, flags: 1, ptr: 2, len: 3 }], writes: always, outputs: none },
  path_create_directory: { paths: [{ fd: 0, ptr: 1, len: 2 }], writes: always, outputs: none },
  path_remove_directory: { paths: [{ fd: 0, ptr: 1, len: 2 }], writes: always, outputs: none },
  path_unlink_file: { paths: [{ fd: 0, ptr: 1, len: 2 }], writes: always, outputs: none },
  path_readlink: {
    paths: [{ fd: 0, ptr: 1, len: 2 }],
    writes: never,
    outputs: (a) => [
      [Number(a[3]), Number(a[4])],
      [Number(a[5]), 4],
    ],
  },
  path_rename: {
    paths: [
      { fd: 0, ptr: 1, len: 2 },
      { fd: 3, ptr: 4, len: 5 },
    ],
    writes: always,
    outputs: none,
  },
  path_link: {
    paths: [
      { fd: 0, flags: 1, ptr: 2, len: 3 },
      { fd: 4, ptr: 5, len: 6 },
    ],
    writes: always,
    outputs: none,
  },
  path_symlink: { paths: [{ fd: 2, ptr: 3, len: 4 }], writes: always, outputs: none },
}

export interface SandboxedPathsInput {
  wasiFns: Record<string, Fn>
  fds: GuestFds
  memory: () => WebAssembly.Memory
  onDenied: (message: string) => void
}

export function sandboxedPaths(input: SandboxedPathsInput): Record<string, Fn> {
  const { fds, memory } = input
  const decoder = new TextDecoder()
  const encoder = new TextEncoder()
  const text = (ptr: number, len: number) => decoder.decode(new Uint8Array(memory().buffer, ptr, len))
  const call = (name: string, args: Args) =>
    (input.wasiFns[name] as unknown as (...a: Args) => number)(...args)
  const deny = (errno: number, message: string) => {
    input.onDenied(`denied: ${message}`)
    return errno
  }

  const wrap = (name: string, spec: PathFnSpec): Fn =>
    ((...signed: Args) => {
      const args = signed.map(unsigned)
      const rewrites: { arg: PathArg; fd: number; path: string }[] = []
      let resolved: { rel: string; host: string; preopen: Preopen } | undefined
      for (const arg of spec.paths) {
        const fd = Number(args[arg.fd])
        const entry = fds.get(fd)
        // Not a directory we handed out: node:wasi answers (EBADF, ENOTDIR…) with no lookup to make.
        if (!entry) return call(name, args)
        if (!entry.dir) return ERRNO.NOTDIR
        const path = text(Number(args[arg.ptr]), Number(args[arg.len]))
        const follow = arg.flags !== undefined && (Number(args[arg.flags]) & LOOKUP_SYMLINK_FOLLOW) !== 0
        // Beneath the directory fd itself, as openat2(RESOLVE_BENEATH): an fd is a capability
        // for its own subtree, not for the whole preopen it was opened from.
        const r = resolveBeneath(hostPath(entry.preopen.host, entry.rel), path, follow)
        if (!r.ok) {
          if (r.errno !== ERRNO.NOTCAPABLE) return r.errno
          return deny(
            r.errno,
            `${name} "${path}" in ${fds.label(fd)}: ${r.why} leads outside the directories this workload declares`,
          )
        }
        if (spec.writes(args) && !entry.preopen.writable)
          return deny(
            ERRNO.ROFS,
            `${name === 'path_open' ? 'write access to' : name} "${path}" in read-only directory ${fds.label(fd)}`,
          )
        let rewritten = r.rel === '' ? '.' : r.rel
        if (path.endsWith('/') && rewritten !== '.') rewritten += '/'
        if (rewritten !== path) rewrites.push({ arg, fd, path: rewritten })
        const rel = entry.rel === '' ? r.rel : r.rel === '' ? entry.rel : `${entry.rel}/${r.rel}`
        resolved ??= { rel, host: hostPath(entry.preopen.host, rel), preopen: entry.preopen }
      }
      if (name === 'path_open' && resolved) {
        const follow = (Number(args[1]) & LOOKUP_SYMLINK_FOLLOW) !== 0
        // node:wasi opens a symlink named last even when told not to follow it.
        if (!follow && isSymlink(resolved.host))
          return (Number(args[4]) & OFLAGS_DIRECTORY) !== 0 ? ERRNO.NOTDIR : ERRNO.LOOP
      }
      if (name === 'path_symlink') {
        const target = text(Number(args[0]), Number(args[1]))
        if (target.startsWith('/'))
          return deny(
            ERRNO.NOTCAPABLE,
            `path_symlink to the absolute path "${target}": symlinks may only point within the directory`,
          )
      }
      const r = rewrites.length === 0 ? call(name, args) : callRewritten(name, args, spec, rewrites)
      if (r === 0 && name === 'path_open' && resolved) {
        const opened = new DataView(memory().buffer).getUint32(Number(args[8]), true)
        fds.set(opened, {
          preopen: resolved.preopen,
          rel: resolved.rel,
          dir: isDirectory(resolved.host),
          fdflags: Number(args[7]),
        })
      }
      // node:wasi answers NOBUFS for a link longer than the buffer; readlink(2) truncates.
      if (r === ERRNO.NOBUFS && name === 'path_readlink' && resolved)
        return readlinkTruncated(resolved.host, args)
      return r
    }) as Fn

  const callRewritten = (
    name: string,
    args: Args,
    spec: PathFnSpec,
    rewrites: { arg: PathArg; fd: number; path: string }[],
  ): number => {
    const strings = rewrites.map((w) => encoder.encode(w.path))
    // Keep clear of what the call writes and of every string it still reads from the guest.
    const inputs = spec.paths.map((p): [number, number] => [Number(args[p.ptr]), Number(args[p.len])])
    if (name === 'path_symlink') inputs.push([Number(args[0]), Number(args[1])])
    const r = withScratch(memory(), strings, [...spec.outputs(args), ...inputs], (ptrs) => {
      const next = [...args]
      rewrites.forEach((w, i) => {
        next[w.arg.fd] = w.fd
        next[w.arg.ptr] = ptrs[i]!
        next[w.arg.len] = strings[i]!.length
      })
      return call(name, next)
    })
    return r ?? ERRNO.NAMETOOLONG
  }

  const readlinkTruncated = (host: string, args: Args): number => {
    let target: Buffer
    try {
      target = readlinkSync(host, { encoding: 'buffer' })
    } catch {
      return ERRNO.NOBUFS
    }
    const [buf, len, usedPtr] = [Number(args[3]), Number(args[4]), Number(args[5])]
    const n = Math.min(len, target.length)
    new Uint8Array(memory().buffer, buf, n).set(target.subarray(0, n))
    new DataView(memory().buffer).setUint32(usedPtr, n, true)
    return ERRNO.SUCCESS
  }

  const out: Record<string, Fn> = {}
  for (const [name, spec] of Object.entries(SPECS)) if (input.wasiFns[name]) out[name] = wrap(name, spec)
  return out
}

function hostPath(root: string, rel: string): string {
  return rel === '' ? root : `${root}/${rel}`
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink()
  } catch {
    return false
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}
