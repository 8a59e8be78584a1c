/**
 * Every way out of a preopened directory, tried by a real guest (test/fixtures/wasm/escape.c,
 * clang-14 wasm32-wasi): each must fail with the errno a real runtime returns, be logged as a
 * denial, and leave everything outside the directory exactly as it was.
 */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runWasmDirect } from '../../main/runtimes/wasm/index.ts'

const escapeWasm = resolve(import.meta.dirname, '../fixtures/wasm/build/escape.wasm')
const NOTCAPABLE = 76

interface Setup {
  box: string
  out: string
}

/** box/ (preopened as /box) and out/ beside it with a secret; box/abs → out, box/rel → ../out. */
function setup(): Setup {
  const base = mkdtempSync(join(tmpdir(), 'wb-sandbox-'))
  const box = join(base, 'box')
  const out = join(base, 'out')
  mkdirSync(join(box, 'sub', 'deep'), { recursive: true })
  mkdirSync(out)
  writeFileSync(join(out, 'secret'), 'outside\n')
  writeFileSync(join(box, 'sub', 'inside'), 'inside\n')
  symlinkSync(out, join(box, 'abs'))
  symlinkSync('../out', join(box, 'rel'))
  symlinkSync('sub/deep', join(box, 'deep'))
  return { box, out }
}

/** Names, sizes and contents under dir: what "nothing changed" compares. */
function snapshot(dir: string): string {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .sort()
    .map((n) => {
      const p = join(dir, n)
      const s = statSync(p)
      return `${n} ${s.isDirectory() ? 'dir' : readFileSync(p, 'utf8')}`
    })
    .join('\n')
}

async function guest(s: Setup, ops: string[], writable = true) {
  const stdout: string[] = []
  const denied: string[] = []
  const before = snapshot(s.out)
  const code = await runWasmDirect({
    file: escapeWasm,
    args: ops,
    dirs: [{ host: s.box, guest: '/box', writable }],
    onLog: (l) => {
      if (l.stream === 'stdout') stdout.push(l.line)
      else if (l.line.includes('denied')) denied.push(l.line)
    },
  })
  expect(snapshot(s.out)).toBe(before)
  return { code, lines: stdout.join('\n').split('\n').filter(Boolean), denied }
}

const notCapable = (op: string) => new RegExp(`^error ${op} ${NOTCAPABLE} `)

describe('the Wasm sandbox holds against symlinks and ".."', () => {
  it('refuses a read through a symlinked directory (absolute and relative)', async () => {
    const s = setup()
    const r = await guest(s, ['read', '/box/abs/secret', 'read', '/box/rel/secret'])
    expect(r.code).toBe(3)
    expect(r.lines[0]).toMatch(notCapable('read'))
    expect(r.lines[1]).toMatch(notCapable('read'))
    expect(r.denied.join('\n')).toMatch(/path_open "abs\/secret" in \/box: a symlink to the absolute path/)
    expect(r.denied.join('\n')).toMatch(/path_open "rel\/secret" in \/box: ".." above the directory/)
  })

  it('refuses to create or overwrite a file through a symlinked directory', async () => {
    const s = setup()
    const r = await guest(s, ['write', '/box/abs/new', 'write', '/box/rel/secret'])
    expect(r.lines).toEqual([
      expect.stringMatching(notCapable('write')),
      expect.stringMatching(notCapable('write')),
    ])
    expect(readdirSync(s.out)).toEqual(['secret'])
  })

  it('refuses ".." past the preopen, also after a symlink inside it', async () => {
    const s = setup()
    const r = await guest(s, ['read', '/box/../out/secret', 'write', '/box/deep/../../../out/x'])
    expect(r.lines[0]).toMatch(/^error read /)
    expect(r.lines[1]).toMatch(notCapable('write'))
  })

  it('follows a symlink chain only while it stays inside', async () => {
    const s = setup()
    symlinkSync('abs', join(s.box, 'chain'))
    symlinkSync('chain/secret', join(s.box, 'chain2'))
    symlinkSync('sub/inside', join(s.box, 'ok1'))
    symlinkSync('ok1', join(s.box, 'ok2'))
    const r = await guest(s, ['read', '/box/chain2', 'write', '/box/chain/x', 'read', '/box/ok2'])
    expect(r.lines).toEqual([
      expect.stringMatching(notCapable('read')),
      expect.stringMatching(notCapable('write')),
      'ok read inside',
    ])
  })

  it('resolves ".." after a symlink physically, the way the host would', async () => {
    const s = setup()
    // deep → sub/deep, so deep/.. is sub, not the preopen.
    const r = await guest(s, ['read', '/box/deep/../inside'])
    expect(r.lines).toEqual(['ok read inside'])
  })

  it('refuses rename and hard link out through a symlink', async () => {
    const s = setup()
    const r = await guest(s, [
      'rename',
      '/box/sub/inside',
      '/box/abs/moved',
      'link',
      '/box/sub/inside',
      '/box/rel/hard',
      'link',
      '/box/abs/secret',
      '/box/stolen',
    ])
    expect(r.lines).toEqual([
      expect.stringMatching(notCapable('rename')),
      expect.stringMatching(notCapable('link')),
      expect.stringMatching(notCapable('link')),
    ])
    expect(readFileSync(join(s.box, 'sub', 'inside'), 'utf8')).toBe('inside\n')
    expect(readdirSync(s.box)).not.toContain('stolen')
  })

  it('refuses an absolute symlink, and following a relative one it made that leads out', async () => {
    const s = setup()
    const r = await guest(s, [
      'symlink',
      s.out,
      '/box/made-abs',
      'symlink',
      'sub',
      '/box/made-in',
      'read',
      '/box/made-in/inside',
    ])
    expect(r.lines).toEqual([expect.stringMatching(notCapable('symlink')), 'ok symlink', 'ok read inside'])
    expect(readdirSync(s.box)).not.toContain('made-abs')
    // A link planted by someone else that climbs out is refused when followed.
    symlinkSync('../../out', join(s.box, 'sub', 'up'))
    const r2 = await guest(s, ['read', '/box/sub/up/secret', 'write', '/box/sub/up/new'])
    expect(r2.lines).toEqual([
      expect.stringMatching(notCapable('read')),
      expect.stringMatching(notCapable('write')),
    ])
  })

  it('refuses readdir and stat through a symlinked directory, and lstat still sees the link', async () => {
    const s = setup()
    const r = await guest(s, [
      'readdir',
      '/box/abs',
      'stat',
      '/box/abs/secret',
      'stat',
      '/box/abs',
      'lstat',
      '/box/abs',
    ])
    expect(r.lines.slice(0, 3)).toEqual([
      expect.stringMatching(notCapable('readdir')),
      expect.stringMatching(notCapable('stat')),
      expect.stringMatching(notCapable('stat')),
    ])
    expect(r.lines[3]).toMatch(/^ok lstat size=\d+/)
    expect(r.denied.length).toBeGreaterThanOrEqual(3)
  })

  it('keeps a read-only preopen read-only, through links inside it too', async () => {
    const s = setup()
    const r = await guest(
      s,
      ['write', '/box/sub/new', 'write', '/box/deep/../new', 'read', '/box/sub/inside'],
      false,
    )
    expect(r.lines).toEqual([
      expect.stringMatching(/^error write 69 /),
      expect.stringMatching(/^error write 69 /),
      'ok read inside',
    ])
    expect(readdirSync(join(s.box, 'sub')).sort()).toEqual(['deep', 'inside'])
  })
})
