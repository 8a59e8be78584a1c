/**
 * fd_readdir for the directories we track, because node:wasi's leaves out "." and "..", which
 * WASI programs (and the testsuite) expect. Entries are listed the way preview 1 lays them out:
 * a 24-byte dirent (next cookie, inode, name length, type) then the name, as many as fit, the
 * last one cut off if need be (the caller then reads again from that cookie).
 */
import { type Dirent, lstatSync, readdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type { GuestFds } from './guest-fds.ts'
import { ERRNO } from './wasi-errno.ts'

const DIRENT_BYTES = 24

function filetype(e: Dirent): number {
  if (e.isDirectory()) return 3
  if (e.isFile()) return 4
  if (e.isSymbolicLink()) return 7
  if (e.isBlockDevice()) return 1
  if (e.isCharacterDevice()) return 2
  if (e.isSocket()) return 6
  return 0
}

export function readdirFor(fds: GuestFds, memory: () => WebAssembly.Memory) {
  return (inner: (...a: number[]) => number, ...args: number[]): number => {
    const [fd, buf, bufLen, cookie, usedPtr] = [
      Number(args[0]),
      Number(args[1]),
      Number(args[2]),
      BigInt(args[3]!),
      Number(args[4]),
    ]
    const entry = fds.get(fd)
    if (!entry?.dir) return inner(...args)
    const dir = entry.rel === '' ? entry.preopen.host : `${entry.preopen.host}/${entry.rel}`
    let listing: { name: string; ino: bigint; type: number }[]
    try {
      const self = lstatSync(dir, { bigint: true })
      const parent = lstatSync(dirname(dir), { bigint: true })
      listing = [
        { name: '.', ino: self.ino, type: 3 },
        { name: '..', ino: parent.ino, type: 3 },
        ...readdirSync(dir, { withFileTypes: true })
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
          .map((d) => ({
            name: d.name,
            ino: lstatSync(`${dir}/${d.name}`, { bigint: true }).ino,
            type: filetype(d),
          })),
      ]
    } catch {
      return inner(...args)
    }
    const out = new Uint8Array(bufLen)
    const encoder = new TextEncoder()
    let used = 0
    for (let i = Number(cookie); i < listing.length && used < bufLen; i++) {
      const e = listing[i]!
      const name = encoder.encode(e.name)
      const head = new Uint8Array(DIRENT_BYTES)
      const h = new DataView(head.buffer)
      h.setBigUint64(0, BigInt(i + 1), true)
      h.setBigUint64(8, e.ino, true)
      h.setUint32(16, name.length, true)
      h.setUint8(20, e.type)
      const whole = new Uint8Array(DIRENT_BYTES + name.length)
      whole.set(head)
      whole.set(name, DIRENT_BYTES)
      const n = Math.min(whole.length, bufLen - used)
      out.set(whole.subarray(0, n), used)
      used += n
    }
    new Uint8Array(memory().buffer, buf, used).set(out.subarray(0, used))
    new DataView(memory().buffer).setUint32(usedPtr, used, true)
    return ERRNO.SUCCESS
  }
}
