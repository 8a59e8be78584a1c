/**
 * Where node:wasi's fd functions answer differently from WASI preview 1 (as the official
 * testsuite and other runtimes read it), put right in front of it: fdstat flags limited to
 * WASI's own bits and carrying those the fd was opened with, fd_prestat_dir_name's short-buffer
 * errno, and sock_shutdown on something that is not a socket.
 */
import type { GuestFds } from './guest-fds.ts'
import { withScratch } from './scratch-memory.ts'
import { ERRNO } from './wasi-errno.ts'

type Inner = (...a: number[]) => number
type Around = (name: string, wrapper: (inner: Inner, ...a: number[]) => number) => void

const FDFLAGS_ALL = 0x1f // append, dsync, nonblock, rsync, sync
const FDSTAT_BYTES = 24

export function fixFdFunctions(
  fns: Record<string, unknown>,
  around: Around,
  fds: GuestFds,
  memory: () => WebAssembly.Memory,
): void {
  const fdstat = fns.fd_fdstat_get as Inner
  around('fd_fdstat_get', (inner, fd, ptr) => {
    const r = inner(fd!, ptr!)
    if (r !== ERRNO.SUCCESS) return r
    const view = new DataView(memory().buffer)
    const flags = (view.getUint16(ptr! + 2, true) | (fds.get(fd!)?.fdflags ?? 0)) & FDFLAGS_ALL
    view.setUint16(ptr! + 2, flags, true)
    return r
  })
  around('fd_fdstat_set_flags', (inner, fd, flags) => {
    const r = inner(fd!, flags!)
    const e = fds.get(fd!)
    if (r === ERRNO.SUCCESS && e) e.fdflags = flags!
    return r
  })
  around('fd_prestat_dir_name', (inner, fd, ptr, len) => {
    const r = inner(fd!, ptr!, len!)
    return r === ERRNO.NOBUFS ? ERRNO.NAMETOOLONG : r
  })
  // A guest here is never given a socket (no preopened listeners), yet node:wasi reports a pipe
  // on stdio as a stream socket and answers ENOTSUP; a runtime answers ENOTSOCK.
  around('sock_shutdown', (_inner, fd) => {
    const r = withScratch(memory(), [new Uint8Array(FDSTAT_BYTES)], [], ([p]) => fdstat(fd!, p!))
    return r === undefined || r === ERRNO.SUCCESS ? ERRNO.NOTSOCK : r
  })
}
