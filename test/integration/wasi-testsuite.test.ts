/**
 * WASI conformance: every test of the official testsuite (../shared/wasi-testsuite relative to
 * the repo) run through `worldbench run`, the command a user types, compared by exit code and
 * byte-exact stdout. Tests that still fail are listed with their reason in
 * test/conformance/wasi-known-failures.json: any other failure fails CI, and a listed test that
 * starts passing must be taken off the list.
 */
import { execFile } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { freshRoot, wasiTests } from '../conformance/wasi-testsuite.ts'
import { requireEngine } from './engines.ts'

const root = resolve(import.meta.dirname, '../..')
const suiteDir = resolve(root, '../shared/wasi-testsuite')
const cli = join(root, 'bin/worldbench.mjs')
const knownFailures = JSON.parse(
  readFileSync(join(root, 'test/conformance/wasi-known-failures.json'), 'utf8'),
) as Record<string, string>

function run(argv: string[]): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [cli, 'run', ...argv],
      { encoding: 'buffer', maxBuffer: 64 * 2 ** 20, timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: unknown }).code as number) : 0
        done({ code: typeof code === 'number' ? code : -1, stdout, stderr: stderr.toString() })
      },
    )
  })
}

describe('the WASI testsuite through worldbench run', () => {
  requireEngine('The WASI testsuite', existsSync(suiteDir), `expected at ${suiteDir}`)
  const tests = wasiTests(suiteDir)

  it('finds the whole suite, and every known failure names a real test', () => {
    expect(tests.length).toBeGreaterThanOrEqual(72)
    for (const id of Object.keys(knownFailures)) expect(tests.map((t) => t.id)).toContain(id)
  })

  it.for(tests)('$id', async (t) => {
    const dir = t.root ? freshRoot(t.root) : undefined
    try {
      const r = await run([
        ...(dir ? ['--dir', `${dir}:/:rw`] : []),
        ...Object.entries(t.env).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
        t.wasm,
        ...t.args,
      ])
      const passed =
        r.code === t.exitCode && (t.stdout === undefined || r.stdout.equals(Buffer.from(t.stdout)))
      const known = knownFailures[t.id]
      if (known !== undefined) {
        expect(passed, `${t.id} passes now: take it off test/conformance/wasi-known-failures.json`).toBe(
          false,
        )
        return
      }
      expect({ code: r.code, stderr: r.stderr.slice(-2000) }).toMatchObject({ code: t.exitCode })
      if (t.stdout !== undefined) expect(r.stdout.toString('latin1')).toBe(t.stdout)
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true })
    }
  })
})
