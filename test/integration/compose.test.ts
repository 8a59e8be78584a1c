import { execFile } from 'node:child_process'
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService } from '../../main/create-service.ts'
import type { WorldbenchService } from '../../main/service.ts'
import { httpGet, labelledContainers } from './helpers.ts'

const docker = async (args: string[]) => (await promisify(execFile)('docker', args)).stdout.trim()
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'compose', 'app')

describe('a Compose file run as a world on Docker', () => {
  let service: WorldbenchService
  let dir: string

  beforeAll(async () => {
    // A copy, so the bind mount's folder and the build context's busybox stay out of the repo.
    dir = mkdtempSync(join(tmpdir(), 'wb-compose-'))
    cpSync(FIXTURE, dir, { recursive: true })
    mkdirSync(join(dir, 'api', 'rootfs', 'bin'), { recursive: true })
    copyFileSync('/bin/busybox', join(dir, 'api', 'rootfs', 'bin', 'busybox'))
    await docker(['rmi', '-f', 'worldbench-test/compose-api:1', 'worldbench-test/compose-web:1']).catch(
      () => '',
    )
    service = createService()
  })
  afterAll(async () => {
    await service.close({ stopAll: true })
    await docker(['volume', 'rm', '-f', 'compose-app_cache']).catch(() => '')
    rmSync(dir, { recursive: true, force: true })
  })

  it('builds both images, waits for the health check before starting the dependent, and maps every key', async () => {
    const status = await service.handlers.worldUp({ world: join(dir, 'compose.yaml') })
    expect(status.failed).toEqual([])
    expect(status.world).toBe('compose-app')
    // The "debug" service is behind a profile nobody enabled.
    expect(status.instances.map((i) => i.workload).sort()).toEqual(['api', 'web'])
    const api = status.instances.find((i) => i.workload === 'api')!
    const web = status.instances.find((i) => i.workload === 'web')!
    for (const i of status.instances) expect(i.ports[0]!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)

    // build.args reached the Dockerfile's ARG; entrypoint + command run httpd.
    expect((await httpGet(api.ports[0]!.url)).body.trim()).toBe('hello from compose')
    // environment (with ${VAR:-default}), .env interpolation and env_file reach the process.
    const env = (await httpGet(`${api.ports[0]!.url}cgi-bin/env`)).body
    expect(env).toContain('APP_MODE=dev')
    expect(env).toContain('TIER=gold')
    expect(env).toContain('API_TOKEN=from-env-file')
    expect(env).toContain('/cache')
    // The bind mount, read-only.
    expect((await httpGet(`${api.ports[0]!.url}data/note.txt`)).body.trim()).toBe('bound from the host')
    // build.dockerfile picked the second Dockerfile.
    expect((await httpGet(web.ports[0]!.url)).body.trim()).toBe('web')

    const [apiId] = await labelledContainers('io.worldbench.workload=api')
    const inspect = JSON.parse(await docker(['inspect', apiId!]))[0]
    expect(inspect.Config.Entrypoint).toEqual(['/bin/busybox'])
    expect(inspect.Config.Cmd).toEqual(['httpd', '-f', '-p', '8080', '-h', '/www'])
    expect(inspect.HostConfig.Memory).toBe(32 * 1024 * 1024)
    expect(inspect.State.Health.Status).toBe('healthy')
    const mounts = inspect.Mounts as { Type: string; Name?: string; Destination: string; RW: boolean }[]
    expect(mounts.find((m) => m.Destination === '/www/data')).toMatchObject({ Type: 'bind', RW: false })
    expect(mounts.find((m) => m.Destination === '/cache')).toMatchObject({
      Type: 'volume',
      Name: 'compose-app_cache',
    })
    const [webId] = await labelledContainers('io.worldbench.workload=web')
    const webInspect = JSON.parse(await docker(['inspect', webId!]))[0]
    expect(webInspect.HostConfig.NanoCpus).toBe(0.5e9)
    expect(webInspect.HostConfig.Memory).toBe(48 * 1024 * 1024)
    // depends_on: service_healthy - web was created after api was healthy.
    expect(Date.parse(webInspect.Created)).toBeGreaterThanOrEqual(
      Date.parse(inspect.State.Health.Log[0].End) - 1000,
    )

    const { stopped } = await service.handlers.worldDown({ world: 'compose-app' })
    expect(stopped).toBe(2)
    expect(await labelledContainers('io.worldbench.world=compose-app')).toEqual([])
    // Like `docker compose down`, the named volume is kept (its data is the user's), and labelled as ours.
    expect(
      await docker([
        'volume',
        'inspect',
        '-f',
        '{{index .Labels "io.worldbench.world"}}',
        'compose-app_cache',
      ]),
    ).toBe('compose-app')
  })
})
