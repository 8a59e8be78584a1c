import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InstanceInfo } from '../../contract/api.ts'
import { isProcessAlive } from '../../main/core/process-alive.ts'
import { sleep } from '../../main/core/readiness.ts'
import { cli, exited, startUntil } from './cli-helpers.ts'
import { labelledContainers } from './helpers.ts'

// A container that writes two lines, then serves: left running by a service killed with -9, so
// ps and logs find no service and read the engine themselves.
const WORLD = `apiVersion: worldbench/v1
name: cli-no-service
workloads:
  - name: talker
    kind: container
    container:
      image: worldbench/hello-trio:1
      entrypoint: ["/bin/busybox", "sh", "-c", "echo line-one; echo line-two; exec /bin/busybox httpd -f -p 8080 -h /www"]
    ports: [{ host: 0, guest: 8080 }]
`

const docker = (...args: string[]) =>
  new Promise<string>((resolve, reject) =>
    execFile('docker', args, (err, out) => (err ? reject(err) : resolve(out.trim()))),
  )

describe('with no service running, ps and logs read the engines and change nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wb-cli-no-service-'))
  const env = { WORLDBENCH_HOME: join(dir, 'home') }
  const file = join(dir, 'world.yaml')

  beforeAll(async () => {
    writeFileSync(file, WORLD)
    const up = await cli(['up', '-d', file, '--json'], env)
    expect(up.code, up.stderr).toBe(0)
    const owner = JSON.parse((await cli(['service', 'status', '--json'], env)).stdout) as { pid: number }
    process.kill(owner.pid, 'SIGKILL')
    while (isProcessAlive(owner.pid)) await sleep(50)
  })
  afterAll(async () => {
    // The next owner adopts the container, and down removes it.
    await cli(['down', 'cli-no-service'], env)
    await cli(['service', 'stop'], env)
    rmSync(dir, { recursive: true, force: true })
  })

  it('ps lists the container the killed service left, as JSON and as a table', async () => {
    const ps = await cli(['ps', '--json'], env)
    expect(ps.code, ps.stderr).toBe(0)
    const rows = JSON.parse(ps.stdout) as InstanceInfo[]
    expect(rows.map((i) => [i.world, i.workload, i.kind, i.state])).toEqual([
      ['cli-no-service', 'talker', 'container', 'running'],
    ])
    expect(rows[0]!.ports[0]!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    expect(rows[0]!.last?.memoryBytes).toBeGreaterThan(0)
    const table = await cli(['ps'], env)
    expect(table.stdout).toMatch(
      /cli-no-service\s+talker\s+container\s+running\s+http:\/\/127\.0\.0\.1:\d+\//,
    )
    // A look, not a take-over: still no service, and the container is still there.
    expect((await cli(['service', 'status'], env)).code).toBe(3)
    expect(await labelledContainers('io.worldbench.world=cli-no-service', env.WORLDBENCH_HOME)).toHaveLength(
      1,
    )
  })

  it('ps with the container engine unreachable lists what else runs, and says why in the log', async () => {
    const ps = await cli(['ps', '--json'], { ...env, DOCKER_HOST: `unix://${join(dir, 'no-engine.sock')}` })
    expect(ps.code, ps.stderr).toBe(0)
    expect(JSON.parse(ps.stdout)).toEqual([])
    const log = readFileSync(join(env.WORLDBENCH_HOME, 'logs', 'worldbench.log'), 'utf8')
    expect(log).toContain('a look at the container engine failed')
    expect(log).toContain('no-engine.sock')
  })

  it('logs reads the last lines from the engine', async () => {
    const logs = await cli(['logs', 'talker', '-n', '50'], env)
    expect(logs.code, logs.stderr).toBe(0)
    expect(logs.stdout).toBe('line-one\nline-two\n')
    const last = await cli(['logs', 'cli-no-service/talker', '-n', '1'], env)
    expect(last.stdout).toBe('line-two\n')
  })

  it('logs -f follows the engine and ends when the container does', async () => {
    const { child, stdout } = await startUntil(['logs', '-f', 'talker'], env, /^line-two$/)
    const [name] = await labelledContainers('io.worldbench.world=cli-no-service', env.WORLDBENCH_HOME)
    await docker('kill', name!)
    expect(await exited(child)).toBe(0)
    expect(stdout()).toBe('line-one\nline-two\n')
  })
})
