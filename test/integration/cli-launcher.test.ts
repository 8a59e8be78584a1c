import { execFile, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { beforeAll, describe, expect, it } from 'vitest'

const BUILT = join('out', 'cli', 'worldbench.js')
const IMPORT_LOG = join('test', 'fixtures', 'import-log.mjs')
// The preload needs Node 24's module hooks; the launcher runs in this process there.
const NODE24 = join('node_modules', '.bin', 'node')

/** Runs the CLI as users do, and returns the module URLs the process resolved. */
function imports(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; modules: string[] }>((resolve) =>
    execFile(
      NODE24,
      ['--import', `./${IMPORT_LOG}`, 'bin/worldbench.mjs', ...args],
      { timeout: 120_000, env: { ...process.env, ...env } },
      (err, stdout, stderr) => {
        const line = stderr.split('\n').find((l) => l.startsWith('IMPORTED ')) ?? 'IMPORTED []'
        resolve({
          code: err ? ((err as { code?: number }).code ?? 1) : 0,
          stdout,
          modules: JSON.parse(line.slice('IMPORTED '.length)) as string[],
        })
      },
    ),
  )
}

const packagesIn = (modules: string[]) =>
  [...new Set(modules.flatMap((m) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(m)?.[1] ?? []))].sort()

const alive = (pid: number) => {
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

async function until(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe('the worldbench launcher and the built CLI', () => {
  beforeAll(() => {
    expect(existsSync(BUILT), `${BUILT} is missing: run "npm run build" first`).toBe(true)
  })

  it('runs the build, and --version loads no package and no command', async () => {
    const res = await imports(['--version'])
    expect(res.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/)
    expect(res.modules.some((m) => m.endsWith('/out/cli/worldbench.js'))).toBe(true)
    expect(res.modules.filter((m) => m.includes('/main/') && m.endsWith('.ts'))).toEqual([])
    expect(packagesIn(res.modules)).toEqual([])
  })

  it('--help loads commander and nothing of any command', async () => {
    const res = await imports(['--help'])
    expect(res.stdout).toContain('Usage: worldbench')
    expect(packagesIn(res.modules)).toEqual(['commander'])
  })

  it('ps against a running service loads no engine SDK', async () => {
    const env = { WORLDBENCH_HOME: mkdtempSync(join(tmpdir(), 'wb-launcher-')) }
    const serve = spawn(NODE24, ['bin/worldbench.mjs', 'serve', '--port', '0', '--json'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    try {
      await new Promise((resolve, reject) => {
        createInterface({ input: serve.stdout! }).once('line', resolve)
        serve.once('exit', (code) => reject(new Error(`serve exited with ${code}`)))
      })
      const res = await imports(['ps'], env)
      expect(res.stdout).toContain('Nothing is running')
      expect(packagesIn(res.modules)).toContain('commander')
      for (const engine of ['dockerode', 'autocannon', 'pidusage', '@bytecodealliance/jco'])
        expect(packagesIn(res.modules)).not.toContain(engine)
    } finally {
      if (serve.exitCode === null && serve.signalCode === null) {
        const exited = new Promise((r) => serve.once('exit', r))
        serve.kill('SIGTERM')
        await exited
      }
    }
  })

  it('ps with no service reads the engines with no package but commander: no dockerode, no schemas', async () => {
    const res = await imports(['ps'], { WORLDBENCH_HOME: mkdtempSync(join(tmpdir(), 'wb-launcher-')) })
    expect(res.code).toBe(0)
    expect(res.stdout).toContain('Nothing is running')
    expect(packagesIn(res.modules)).toEqual(['commander'])
  })

  it('run of a command module loads no package but commander: no schemas on the way to the guest', async () => {
    const res = await imports(['run', join('resources', 'worlds', 'hello-trio', 'build', 'hello.wasm')])
    expect(res.code, res.stdout).toBe(0)
    expect(packagesIn(res.modules)).toEqual(['commander'])
  })

  it('leaves no Node 24 child behind when the launcher under the system Node is killed -9', async () => {
    const launcher = spawn('/usr/bin/node', ['bin/worldbench.mjs', 'serve', '--port', '0', '--json'], {
      env: { ...process.env, WORLDBENCH_HOME: mkdtempSync(join(tmpdir(), 'wb-launcher-')) },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const served = await new Promise<{ controlSocket: string }>((resolve, reject) => {
      createInterface({ input: launcher.stdout! }).once('line', (l) => resolve(JSON.parse(l)))
      launcher.once('exit', (code) => reject(new Error(`the launcher exited with ${code}`)))
    })
    const children = readFileSync(`/proc/${launcher.pid}/task/${launcher.pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number)
    expect(children).toHaveLength(1)
    const child = children[0]!
    expect(readFileSync(`/proc/${child}/cmdline`, 'utf8')).toContain('node_modules/node/bin/node')
    expect(existsSync(served.controlSocket)).toBe(true)

    launcher.kill('SIGKILL')
    await until(`the Node 24 child ${child} to exit`, () => !alive(child))
    // It went the way of a SIGTERM: the service stopped and removed its control socket.
    expect(existsSync(served.controlSocket)).toBe(false)
  })
})
