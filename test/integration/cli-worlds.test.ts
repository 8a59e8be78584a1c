import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InstanceInfo } from '../../contract/api.ts'
import { cli, exited, startUntil } from './cli-helpers.ts'
import { httpGet } from './helpers.ts'

const WORLD = join(import.meta.dirname, '..', 'fixtures', 'worlds', 'wasm-only', 'world.yaml')

describe('the CLI and a running service share one set of worlds', () => {
  const env = { WORLDBENCH_HOME: mkdtempSync(join(tmpdir(), 'wb-cli-')) }
  let serve: ChildProcess

  beforeAll(async () => {
    serve = (await startUntil(['serve', '--port', '0'], env, /^Open http/)).child
  })
  afterAll(async () => {
    serve.kill('SIGTERM')
    await exited(serve)
    rmSync(env.WORLDBENCH_HOME, { recursive: true, force: true })
  })

  it("up asks before running the world's prepare script: without a terminal it needs --yes", async () => {
    const refused = await cli(['up', WORLD, '--json'], env)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('prepare.sh')
    expect(refused.stderr).toMatch(/hint: .*--yes/)
    const ps = JSON.parse((await cli(['ps', '--json'], env)).stdout) as InstanceInfo[]
    expect(ps).toEqual([])
  })

  it('up hands the world to the service, ps and logs see it, down stops it', async () => {
    const up = await cli(['up', WORLD, '--json', '--yes'], env)
    expect(up.code, up.stderr).toBe(0)
    const status = JSON.parse(up.stdout) as { instances: InstanceInfo[] }
    const url = status.instances[0]!.ports[0]!.url
    expect((await httpGet(url)).status).toBe(200)

    const ps = JSON.parse((await cli(['ps', '--json'], env)).stdout) as InstanceInfo[]
    expect(ps.map((i) => [i.world, i.workload, i.state])).toEqual([['wasm-only', 'hello', 'running']])
    const table = (await cli(['ps'], env)).stdout
    expect(table).toMatch(/WORLD\s+WORKLOAD\s+KIND\s+STATE\s+URL\s+CPU\s+MEMORY/)

    await httpGet(`${url}?marker=1`)
    const logs = await cli(['logs', 'hello', '-n', '50'], env)
    expect(logs.code, logs.stderr).toBe(0)
    expect(logs.stdout).toMatch(/sandbox|GET|request|hello/i)

    const down = await cli(['down', 'wasm-only'], env)
    expect(down.stdout).toContain('Stopped 1 instance')
    expect(JSON.parse((await cli(['ps', '--json'], env)).stdout)).toEqual([])
  })

  it('logs of an unknown instance says how to find one', async () => {
    const res = await cli(['logs', 'nope'], env)
    expect(res.code).toBe(1)
    expect(res.stderr).toContain('No running instance is named "nope"')
    expect(res.stderr).toContain('worldbench ps')
  })
})

describe('up with no service running', () => {
  it('stays in the foreground until Ctrl-C, then stops the world', async () => {
    const env = { WORLDBENCH_HOME: mkdtempSync(join(tmpdir(), 'wb-cli-fg-')) }
    try {
      const { child, stdout } = await startUntil(['up', WORLD, '--json', '--yes'], env, /is up\./)
      const url = (JSON.parse(stdout()) as { instances: InstanceInfo[] }).instances[0]!.ports[0]!.url
      expect((await httpGet(url)).status).toBe(200)
      child.kill('SIGINT')
      expect(await exited(child)).toBe(0)
      await expect(httpGet(url)).rejects.toThrow()
    } finally {
      rmSync(env.WORLDBENCH_HOME, { recursive: true, force: true })
    }
  })
})
