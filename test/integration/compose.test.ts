import { execFile } from 'node:child_process'
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService } from '../../main/create-service.ts'
import type { WorldbenchService } from '../../main/service.ts'
import { httpGet, labelledContainers } from './helpers.ts'

const docker = async (args: string[]) => (await promisify(execFile)('docker', args)).stdout.trim()
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'compose', 'app')
const TRIO_COMPOSE = join(
  import.meta.dirname,
  '..',
  '..',
  'resources',
  'worlds',
  'hello-trio',
  'compose.yaml',
)

function worldbench(args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ['bin/worldbench.mjs', ...args], { timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    )
  })
}

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
    await docker(['rmi', '-f', 'worldbench-test/compose-api:1', 'worldbench-test/compose-web:1']).catch(
      () => '',
    )
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
    // Both are on the world's network: web reaches api by its service name (container to container).
    expect((await httpGet(`${web.ports[0]!.url}cgi-bin/via-api`)).body.trim()).toBe('hello from compose')

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
    // The network went with its last container.
    expect(await docker(['network', 'ls', '-q', '--filter', 'name=^compose-app_default$'])).toBe('')
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

  it('x-worldbench puts an existing Compose service into the comparison: the same handler as a container, Wasm and a VM', async () => {
    const status = await service.handlers.worldUp({ world: TRIO_COMPOSE })
    expect(status.failed).toEqual([])
    expect(status.instances.map((i) => `${i.workload}:${i.kind}`).sort()).toEqual([
      'hello-vm:vm',
      'hello-wasm:wasm',
      'hello:container',
    ])
    const bodies = new Set<string>()
    for (const i of status.instances) {
      const res = await httpGet(i.ports[0]!.url)
      expect(res.status, i.kind).toBe(200)
      bodies.add(res.body)
    }
    expect(bodies.size).toBe(1)
    expect([...bodies][0]).toContain('Hello from Worldbench!')
    expect((await service.handlers.worldDown({ world: 'hello-trio-compose' })).stopped).toBe(3)
    expect(await labelledContainers('io.worldbench.world=hello-trio-compose')).toEqual([])
  })
})

describe('worldbench import, validate and export on the command line', () => {
  let out: string
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'wb-export-'))
  })
  afterAll(() => rmSync(out, { recursive: true, force: true }))

  it('import writes a world file that validates; validate names ignored keys as warnings', async () => {
    const file = join(FIXTURE, 'imported.world.yaml')
    try {
      const res = await worldbench(['import', join(FIXTURE, 'compose.yaml'), '-o', file])
      expect(res.code, res.stderr).toBe(0)
      expect(res.stderr).toMatch(/warning: .*compose\.yaml:\d+:\d+ services\.debug\.profiles/)
      const check = await worldbench(['validate', file])
      expect(check.stdout, check.stderr).toContain('ok (world "compose-app", 2 workloads)')
    } finally {
      rmSync(file, { force: true })
    }
  })

  it('validate on a bad Compose file prints file:line:column and fails', async () => {
    const bad = join(out, 'compose.yaml')
    writeFileSync(bad, 'services:\n  web:\n    image: x\n    privileged: true\n')
    const res = await worldbench(['validate', bad])
    expect(res.code).toBe(1)
    expect(res.stderr).toContain(`${bad}:4:17 services.web.privileged: "privileged" is not supported`)
  })

  it('export --to kubernetes -o writes manifests, image build contexts and Spin apps, and lists what to push', async () => {
    const dir = join(out, 'k8s')
    const res = await worldbench(['export', 'hello-trio', '--to', 'kubernetes', '-o', dir])
    expect(res.code, res.stderr).toBe(0)
    expect(readdirSync(dir).sort()).toEqual([
      'hello-container.yaml',
      'hello-vm.yaml',
      'hello-wasm.yaml',
      'images',
      'spin',
      'spin-executor.yaml',
    ])
    expect(readFileSync(join(dir, 'images', 'hello-vm', 'Dockerfile'), 'utf8')).toContain(
      'COPY vmlinux /boot/vmlinuz',
    )
    expect(readdirSync(join(dir, 'spin', 'hello-wasm')).sort()).toEqual(['hello.wasm', 'spin.toml'])
    expect(res.stderr).toContain('docker build -t worldbench/hello-trio-hello-vm-boot:1 images/hello-vm')
    // The assembled kernel image really builds, FROM scratch, from what was written.
    const tag = 'worldbench-test/export-boot:1'
    try {
      await docker(['build', '-q', '-t', tag, join(dir, 'images', 'hello-vm')])
      const files = await docker(['create', tag, '/x'])
      await docker(['rm', files])
    } finally {
      await docker(['rmi', '-f', tag]).catch(() => '')
    }
  })

  it('--registry stops at the first push it cannot do, saying which image and what to do', async () => {
    const res = await worldbench([
      'export',
      'hello-trio',
      '--to',
      'kubernetes',
      '-o',
      join(out, 'r'),
      '--registry',
      '127.0.0.1:1/x',
    ])
    expect(res.code).toBe(1)
    expect(res.stderr).toContain(
      'Cannot push 127.0.0.1:1/x/worldbench/hello-trio-hello-wasm-spin:1: "spin" is not installed.',
    )
    expect(res.stderr).toMatch(/hint: Install the Spin CLI/)
  })

  it('export --to compose refuses a world with VMs, and writes one for containers', async () => {
    const refused = await worldbench(['export', 'hello-trio', '--to', 'compose'])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/hello-wasm \(wasm\), hello-vm \(vm\)/)
    const ok = await worldbench(['export', join(FIXTURE, 'compose.yaml'), '--to', 'compose'])
    expect(ok.code, ok.stderr).toBe(0)
    expect(ok.stdout).toContain('condition: service_healthy')
  })
})
