/**
 * Reads the official WASI testsuite (prebuilt wasm32-wasip1 tests) the way its spec describes:
 * `<suite>/<test>.wasm`, with an optional `<test>.json` beside it naming args, env, a root
 * directory to preopen as "/" (copied fresh and writable for each run), the expected exit code
 * (default 0) and, where given, the exact stdout.
 */
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'

export interface WasiTest {
  /** "suite/test", e.g. "rust/fd_readdir". */
  id: string
  wasm: string
  args: string[]
  env: Record<string, string>
  /** The directory to copy and preopen as "/", if any. */
  root?: string
  exitCode: number
  stdout?: string
}

export function wasiTests(suiteDir: string): WasiTest[] {
  const tests: WasiTest[] = []
  for (const suite of readdirSync(suiteDir).sort()) {
    const dir = join(suiteDir, suite)
    if (!existsSync(join(dir, 'manifest.json'))) continue
    for (const f of readdirSync(dir).sort()) {
      if (!f.endsWith('.wasm')) continue
      const jsonFile = join(dir, f.replace(/\.wasm$/, '.json'))
      const spec = existsSync(jsonFile)
        ? (JSON.parse(readFileSync(jsonFile, 'utf8')) as {
            args?: string[]
            env?: Record<string, string>
            root?: string
            exit_code?: number
            stdout?: string
          })
        : {}
      tests.push({
        id: `${suite}/${basename(f, '.wasm')}`,
        wasm: join(dir, f),
        args: spec.args ?? [],
        env: spec.env ?? {},
        ...(spec.root !== undefined && { root: join(dir, spec.root) }),
        exitCode: spec.exit_code ?? 0,
        ...(spec.stdout !== undefined && { stdout: spec.stdout }),
      })
    }
  }
  return tests
}

/** A fresh, writable copy of a test's root, without the `.cleanup` files earlier runs leave. */
export function freshRoot(root: string): string {
  const copy = mkdtempSync(join(tmpdir(), 'wb-wasi-root-'))
  cpSync(root, copy, { recursive: true })
  const walk = (dir: string) => {
    chmodSync(dir, 0o755)
    for (const name of readdirSync(dir)) {
      const p = join(dir, name)
      if (name.endsWith('.cleanup')) rmSync(p, { recursive: true, force: true })
      else if (statSync(p).isDirectory()) walk(p)
      else chmodSync(p, 0o644)
    }
  }
  walk(copy)
  return copy
}
