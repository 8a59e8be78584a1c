import { execFile } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService } from '../../main/create-service.ts'
import { httpGet, labelledContainers } from './helpers.ts'

const docker = async (args: string[]) => (await promisify(execFile)('docker', args)).stdout.trim()
const IMAGE = 'worldbench-test/run-once:1'

/** A Compose project whose web service waits for a one-off migration (real Docker, image built offline). */
function project(
  dir: string,
  name: string,
  migration: string,
  webImage = `build: ./img\n    image: ${IMAGE}`,
): string {
  const file = join(dir, `${name}.yaml`)
  writeFileSync(
    file,
    `name: ${name}
services:
  migrate:
    build: ./img
    image: ${IMAGE}
    entrypoint: ["/bin/busybox", "sh", "-c"]
    command: [${JSON.stringify(migration)}]
    volumes: ["data:/data"]
  web:
    ${webImage}
    entrypoint: ["/bin/busybox"]
    command: ["httpd", "-f", "-p", "8080", "-h", "/data"]
    init: true
    ports: ["8080"]
    volumes: ["data:/data"]
    depends_on:
      migrate: { condition: service_completed_successfully }
volumes:
  data: {}
`,
  )
  return file
}

describe('depends_on: service_completed_successfully (a run: once step), on Docker', () => {
  const service = createService()
  let dir: string

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wb-run-once-'))
    mkdirSync(join(dir, 'img', 'rootfs', 'bin'), { recursive: true })
    copyFileSync('/bin/busybox', join(dir, 'img', 'rootfs', 'bin', 'busybox'))
    writeFileSync(join(dir, 'img', 'Dockerfile'), 'FROM scratch\nCOPY rootfs/ /\n')
  })
  afterAll(async () => {
    await service.close({ stopAll: true })
    for (const v of ['run-once_data', 'run-once-bad_data', 'run-once-web_data'])
      await docker(['volume', 'rm', '-f', v]).catch(() => '')
    await docker(['rmi', '-f', IMAGE]).catch(() => '')
    rmSync(dir, { recursive: true, force: true })
  })

  it('starts the dependant only after the step exited 0; the step stays listed as completed', async () => {
    const file = project(
      dir,
      'run-once',
      'echo migrating; sleep 1; echo "schema v2" > /data/index.html; echo migrated',
    )
    const status = await service.handlers.worldUp({ world: file })
    expect(status.failed).toEqual([])
    const migrate = status.instances.find((i) => i.workload === 'migrate')!
    const web = status.instances.find((i) => i.workload === 'web')!
    expect([migrate.state, migrate.reason]).toEqual(['stopped', 'completed (exit code 0)'])
    expect(migrate.timeline?.at(-1)?.name).toBe('completed')
    expect(web.state).toBe('running')
    // What the step wrote is there when the dependant serves: it started after the step ended.
    expect((await httpGet(web.ports[0]!.url)).body.trim()).toBe('schema v2')
    // Nothing of it is left on the engine; it is listed as stopped, with what it printed.
    expect(await docker(['ps', '-aq', '--filter', `name=${migrate.id}`])).toBe('')
    const stopped = await service.handlers.listInstances({ includeStopped: true, includeExternal: false })
    expect(stopped.filter((i) => i.workload === 'migrate').map((i) => i.state)).toEqual(['stopped'])
    const logs = await service.handlers.instanceLogs({ id: migrate.id, tail: 100 })
    expect(logs.map((l) => l.line)).toContain('migrated')
    await service.handlers.worldDown({ world: 'run-once' })
    expect(await labelledContainers('io.worldbench.world=run-once', process.env.WORLDBENCH_HOME)).toEqual([])
  })

  it('a step that fails fails the start with its exit code and last lines; its dependant never starts', async () => {
    const file = project(dir, 'run-once-bad', 'echo "error: schema is locked" >&2; exit 3')
    const status = await service.handlers.worldUp({ world: file })
    expect(status.instances).toEqual([])
    expect(status.failed.map((f) => [f.workload, f.error.code])).toEqual([['migrate', 'RUN_FAILED']])
    const error = status.failed[0]!.error
    expect(error.message).toContain('exited with code 3')
    expect(error.hint).toContain('error: schema is locked')
    expect(await labelledContainers('io.worldbench.world=run-once-bad', process.env.WORLDBENCH_HOME)).toEqual(
      [],
    )
  })

  it('a dependant that fails after the step completed rolls back without touching the step again', async () => {
    // No such image and nothing to build it from (and no registry): web cannot start.
    const file = project(dir, 'run-once-web', 'echo migrated', 'image: worldbench-test/no-such-image:1')
    const removed: string[] = []
    const off = service.bus.on('instanceRemoved', ({ id }) => removed.push(id))
    const status = await service.handlers.worldUp({ world: file })
    off()
    expect(status.failed.map((f) => f.workload)).toEqual(['web'])
    expect(status.instances).toEqual([])
    // The step was let go of once, when it completed; the rollback does not stop it again.
    expect(removed).toHaveLength(1)
    expect(await labelledContainers('io.worldbench.world=run-once-web', process.env.WORLDBENCH_HOME)).toEqual(
      [],
    )
  })
})
