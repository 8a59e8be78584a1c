import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterEach, describe, expect, it } from 'vitest'
import type { InstanceInfo, WorldStatus } from '../../contract/api.ts'
import { isProcessAlive } from '../../main/core/process-alive.ts'
import { sleep } from '../../main/core/readiness.ts'
import { cli, exited, startUntil } from './cli-helpers.ts'
import { httpGet, labelledContainers, qemuProcesses } from './helpers.ts'

const WASM_ONLY = join(import.meta.dirname, '..', 'fixtures', 'worlds', 'wasm-only', 'world.yaml')

/** A fresh state dir per test, and every process a test started ended (SIGTERM, then waited for). */
let children: ChildProcess[] = []
let homes: string[] = []
function home(): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'wb-owner-'))
  homes.push(dir)
  return { WORLDBENCH_HOME: dir }
}
async function started(p: ReturnType<typeof startUntil>) {
  const r = await p
  children.push(r.child)
  return r
}
afterEach(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM')
  await Promise.all(children.map(exited))
  for (const h of homes) {
    await cli(['service', 'stop'], { WORLDBENCH_HOME: h })
    rmSync(h, { recursive: true, force: true })
  }
  children = []
  homes = []
})

/** `up --json`: resolves when it is the service and the world is up, or when it handed the world over and ended. */
function upOrHandOver(world: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['bin/worldbench.mjs', 'up', world, '--json'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let out = ''
  child.stdout!.on('data', (c) => (out += c))
  return new Promise<{ child: ChildProcess; owner: boolean; stdout: () => string }>((resolve) => {
    createInterface({ input: child.stderr! }).on(
      'line',
      (line) => /is up\./.test(line) && resolve({ child, owner: true, stdout: () => out }),
    )
    child.once('exit', () => resolve({ child, owner: false, stdout: () => out }))
  })
}

const psOf = async (env: Record<string, string>) => {
  const r = await cli(['ps', '--json'], env)
  expect(r.code, r.stderr).toBe(0)
  return JSON.parse(r.stdout) as InstanceInfo[]
}

describe('one service per state dir', () => {
  it('a second serve refuses at once with a clear message and a non-zero exit code', async () => {
    const env = home()
    const first = await started(startUntil(['serve', '--port', '0'], env, /^Open http/))
    const second = await cli(['serve', '--port', '0'], env)
    expect(second.code).toBe(1)
    expect(second.stderr).toContain('already owns the state dir')
    expect(second.stderr).toMatch(/hint: .*worldbench service stop/)
    const status = await cli(['service', 'status', '--json'], env)
    expect(status.code).toBe(0)
    const owner = JSON.parse(status.stdout)
    expect(owner).toMatchObject({ running: true, role: 'serve' })
    expect(second.stderr).toContain(`pid ${owner.pid}`)
    expect(first.child.exitCode).toBeNull()
  })

  it('a foreground up is the service: ps, logs and down from other processes go through it; serve refuses', async () => {
    const env = home()
    const up = await started(startUntil(['up', WASM_ONLY, '--json', '--yes'], env, /is up\./))
    const url = (JSON.parse(up.stdout()) as WorldStatus).instances[0]!.ports[0]!.url
    expect((await httpGet(url)).status).toBe(200)

    const ps = await psOf(env)
    expect(ps.map((i) => [i.world, i.workload, i.kind, i.state])).toEqual([
      ['wasm-only', 'hello', 'wasm', 'running'],
    ])
    await httpGet(`${url}?from=logs-test`)
    const logs = await cli(['logs', 'hello', '-n', '50'], env)
    expect(logs.code, logs.stderr).toBe(0)

    const serve = await cli(['serve', '--port', '0'], env)
    expect(serve.code).toBe(1)
    expect(serve.stderr).toContain(`"up ${WASM_ONLY}"`)

    const down = await cli(['down', 'wasm-only'], env)
    expect(down.stdout).toContain('Stopped 1 instance(s) of "wasm-only"')
    await expect(httpGet(url)).rejects.toThrow()
    expect(await psOf(env)).toEqual([])
    // The foreground owner is still the service until Ctrl-C.
    expect(up.child.exitCode).toBeNull()
    up.child.kill('SIGINT')
    expect(await exited(up.child)).toBe(0)
    expect((await cli(['service', 'status'], env)).code).toBe(3)
  })

  it('two up of one world at once start one set of workloads (VM, container and Wasm)', async () => {
    const env = home()
    const [ra, rb] = await Promise.all([upOrHandOver('hello-trio', env), upOrHandOver('hello-trio', env)])
    // One became the service in the foreground; the other handed the world to it and ended.
    expect([ra.owner, rb.owner].sort()).toEqual([false, true])
    const owner = ra.owner ? ra : rb
    const other = ra.owner ? rb : ra
    expect(other.child.exitCode).toBe(0)
    const ids = (r: typeof ra) => (JSON.parse(r.stdout()) as WorldStatus).instances.map((i) => i.id).sort()
    expect(ids(other)).toEqual(ids(owner))
    expect(ids(owner)).toHaveLength(3)
    const ps = await psOf(env)
    expect(ps.filter((i) => i.world === 'hello-trio')).toHaveLength(3)
    expect(await qemuProcesses('hello-trio', env.WORLDBENCH_HOME)).toHaveLength(1)
    expect(await labelledContainers('io.worldbench.world=hello-trio', env.WORLDBENCH_HOME)).toHaveLength(1)
    owner.child.kill('SIGINT')
    expect(await exited(owner.child)).toBe(0)
    expect(await qemuProcesses('hello-trio', env.WORLDBENCH_HOME)).toEqual([])
    expect(await labelledContainers('io.worldbench.world=hello-trio', env.WORLDBENCH_HOME)).toEqual([])
  })

  it('up -d starts a background service and returns; service stop stops it and its worlds', async () => {
    const env = home()
    const up = await cli(['up', '-d', WASM_ONLY, '--json', '--yes'], env)
    expect(up.code, up.stderr).toBe(0)
    const url = (JSON.parse(up.stdout) as WorldStatus).instances[0]!.ports[0]!.url
    expect((await httpGet(url)).status).toBe(200)
    const status = JSON.parse((await cli(['service', 'status', '--json'], env)).stdout)
    expect(status).toMatchObject({ running: true, role: 'service' })
    expect((await psOf(env)).map((i) => i.state)).toEqual(['running'])
    const stop = await cli(['service', 'stop'], env)
    expect(stop.stdout).toContain(`Stopped the Worldbench service (pid ${status.pid})`)
    expect(isProcessAlive(status.pid)).toBe(false)
    await expect(httpGet(url)).rejects.toThrow()
    expect((await cli(['service', 'status'], env)).code).toBe(3)
  })

  it('kill -9 of the launcher under an older Node leaves no orphaned service', async () => {
    const env = home()
    const launcher = await started(
      startUntil(['serve', '--port', '0', '--json'], env, /controlSocket/, '/usr/bin/node'),
    )
    const status = JSON.parse((await cli(['service', 'status', '--json'], env)).stdout)
    expect(status.pid).not.toBe(launcher.child.pid)
    launcher.child.kill('SIGKILL')
    const deadline = Date.now() + 30_000
    while (isProcessAlive(status.pid) && Date.now() < deadline) await sleep(100)
    expect(isProcessAlive(status.pid)).toBe(false)
    expect(existsSync(join(env.WORLDBENCH_HOME!, 'owner.lock'))).toBe(false)
  })
})

describe('kill -9 of the service at each phase of a start leaves nothing unaccounted', () => {
  // Phases are named by the test hook WORLDBENCH_TEST_PAUSE_AT; "up" is after the world is ready.
  for (const phase of ['vm:intent', 'vm:spawned', 'container:created', 'supervisor:started', 'up']) {
    it(`at ${phase}: ps shows every survivor, the next up adopts or reaps it, no duplicates`, async () => {
      const env = home()
      const { child } = await started(
        startUntil(
          ['up', 'hello-trio', '--json'],
          { ...env, WORLDBENCH_TEST_PAUSE_AT: phase },
          phase === 'up' ? /is up\./ : new RegExp(`paused at ${phase}`),
        ),
      )
      child.kill('SIGKILL')
      await exited(child)

      const survivors = await psOf(env)
      const qemus = await qemuProcesses('hello-trio', env.WORLDBENCH_HOME)
      const containers = await labelledContainers('io.worldbench.world=hello-trio', env.WORLDBENCH_HOME)
      expect(survivors.filter((i) => i.kind === 'vm')).toHaveLength(qemus.length)
      expect(survivors.filter((i) => i.kind === 'container')).toHaveLength(containers.length)

      const up = await cli(['up', '-d', 'hello-trio', '--json'], env)
      expect(up.code, up.stderr).toBe(0)
      const status = JSON.parse(up.stdout) as WorldStatus
      expect(status.instances.map((i) => i.kind).sort()).toEqual(['container', 'vm', 'wasm'])
      for (const i of status.instances) expect((await httpGet(i.ports[0]!.url)).status, i.kind).toBe(200)
      expect(await qemuProcesses('hello-trio', env.WORLDBENCH_HOME)).toHaveLength(1)
      expect(await labelledContainers('io.worldbench.world=hello-trio', env.WORLDBENCH_HOME)).toHaveLength(1)
      // What survived the kill was adopted rather than started twice.
      for (const s of survivors.filter((i) => i.state === 'running'))
        expect(status.instances.map((i) => i.id)).toContain(s.id)
      console.log(
        `kill -9 at ${phase}: survivors ${JSON.stringify(survivors.map((i) => [i.kind, i.state]))}, after up: ${JSON.stringify(status.instances.map((i) => [i.kind, survivors.some((s) => s.id === i.id) ? 'adopted' : 'new']))}`,
      )

      expect((await cli(['service', 'stop'], env)).code).toBe(0)
      expect(await qemuProcesses('hello-trio', env.WORLDBENCH_HOME)).toEqual([])
      expect(await labelledContainers('io.worldbench.world=hello-trio', env.WORLDBENCH_HOME)).toEqual([])
    })
  }
})
