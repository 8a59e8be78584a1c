/**
 * Resolves a guest path inside its preopen the way openat2(RESOLVE_BENEATH) does: component by
 * component, following every symlink on the host ourselves (relative targets only), with `..`
 * never climbing above the preopen. node:wasi checks only the last component, so a symlinked
 * directory inside a preopen would otherwise lead anywhere on the host.
 */
import { lstatSync, readlinkSync } from 'node:fs'
import { ERRNO } from './wasi-errno.ts'

/** Host symlinks followed in one lookup before giving up, as Linux does (ELOOP). */
const MAX_LINKS = 40

export type Beneath =
  /** rel: the target's path below root ('' = root itself), with no symlink before its last component. */
  { ok: true; rel: string } | { ok: false; errno: number; why: string }

/**
 * root: the real host path of the directory the lookup starts from and may not leave.
 * followLast: whether a symlink as the last component is followed (a trailing slash always follows).
 */
export function resolveBeneath(root: string, path: string, followLast: boolean): Beneath {
  if (path === '') return { ok: false, errno: ERRNO.NOENT, why: 'an empty path' }
  if (path.includes('\0')) return { ok: false, errno: ERRNO.ILSEQ, why: 'a NUL byte in the path' }
  if (path.startsWith('/'))
    return { ok: false, errno: ERRNO.NOTCAPABLE, why: 'an absolute path, where a relative one is required' }
  const at: string[] = []
  const todo = path.split('/').reverse()
  const trailingSlash = path.endsWith('/')
  let links = 0
  while (todo.length > 0) {
    const name = todo.pop()!
    if (name === '' || name === '.') continue
    if (name === '..') {
      if (at.length === 0) return { ok: false, errno: ERRNO.NOTCAPABLE, why: '".." above the directory' }
      at.pop()
      continue
    }
    const last = todo.every((n) => n === '' || n === '.')
    if (last && !followLast && !trailingSlash) {
      at.push(name)
      break
    }
    const host = `${root}/${[...at, name].join('/')}`
    let isLink = false
    try {
      isLink = lstatSync(host).isSymbolicLink()
    } catch {
      // Missing (or unreadable): nothing to follow; the real call reports what is wrong.
    }
    if (!isLink) {
      at.push(name)
      continue
    }
    if (++links > MAX_LINKS) return { ok: false, errno: ERRNO.LOOP, why: 'too many symlinks' }
    let target: string
    try {
      target = readlinkSync(host, 'utf8')
    } catch {
      return { ok: false, errno: ERRNO.ACCES, why: `an unreadable symlink ${name}` }
    }
    if (target.startsWith('/'))
      return { ok: false, errno: ERRNO.NOTCAPABLE, why: `a symlink to the absolute path ${target}` }
    for (const part of target.split('/').reverse()) todo.push(part)
  }
  return { ok: true, rel: at.join('/') }
}
