/**
 * `worldbench run` as a user types it: the guest's stdout and stderr reach the terminal byte for
 * byte (binary-safe, no added newline, not reordered), Worldbench's own lines only with -v, the
 * guest's exit code is the command's, and options after the module are the guest's.
 * Guest: test/fixtures/wasm/bytes.c (clang-14 wasm32-wasi).
 */
import { spawn } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const bytes = join(root, 'test/fixtures/wasm/build/bytes.wasm')

/** Runs the CLI with stdout and stderr to files (the same file when `together`). */
function run(args: string[], together = false): Promise<{ code: number | null; out: Buffer; err: Buffer }> {
  const dir = mkdtempSync(join(tmpdir(), 'wb-cli-run-'))
  const out = openSync(join(dir, 'out'), 'w')
  const err = together ? out : openSync(join(dir, 'err'), 'w')
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(root, 'bin/worldbench.mjs'), 'run', ...args], {
      stdio: ['ignore', out, err],
    })
    child.on('error', fail)
    child.on('close', (code) => {
      closeSync(out)
      if (!together) closeSync(err)
      done({
        code,
        out: readFileSync(join(dir, 'out')),
        err: together ? Buffer.alloc(0) : readFileSync(join(dir, 'err')),
      })
    })
  })
}

const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i))

describe('worldbench run (command module)', () => {
  it("passes the guest's output through byte for byte, and its exit code", async () => {
    const r = await run([bytes])
    expect(r.code).toBe(7)
    expect(r.out.equals(Buffer.concat([allBytes, Buffer.from('o1o2')]))).toBe(true)
    expect(r.err.toString('latin1')).toBe('e1e2')
  })

  it('keeps stdout and stderr in the order the guest wrote them', async () => {
    const r = await run([bytes], true)
    expect(r.out.subarray(256).toString()).toBe('o1e1o2e2')
  })

  it('hands options after the module to the guest', async () => {
    const r = await run([bytes, '--flag', '-v', 'x y'])
    expect(r.err.toString()).toBe('e1e2\n--flag\n-v\nx y')
  })

  it("prints Worldbench's own lines on stderr only with -v", async () => {
    const r = await run(['-v', bytes])
    expect(r.code).toBe(7)
    expect(r.err.toString()).toMatch(/^\[worldbench\] sandbox: no directories; env none; memory ≤ 256 MiB/)
    expect(r.err.toString().endsWith('e1e2')).toBe(true)
    expect(r.out.subarray(0, 256).equals(allBytes)).toBe(true)
  })

  it('refuses a --dir that is a file or missing, naming it', async () => {
    const file = await run(['--dir', `${join(root, 'README.md')}:/x`, bytes])
    expect(file.code).toBe(1)
    expect(file.err.toString()).toMatch(/^error: .*README\.md is a file; only a directory can be given/)
    const missing = await run(['--dir', `${join(root, 'nope')}:/x`, bytes])
    expect(missing.err.toString()).toMatch(/^error: The directory .*nope given to the guest does not exist/)
  })

  it('refuses a module that is not there, with a hint', async () => {
    const r = await run([join(root, 'nope.wasm')])
    expect(r.code).toBe(1)
    expect(r.err.toString()).toMatch(/^error: No Wasm file at .*nope\.wasm\.\nhint: /)
  })
})
