/**
 * The edge-filter and polyglot sample worlds, launched through the real Supervisor (docker and
 * the embedded Wasm engine), checked over 127.0.0.1 only, and stopped leaving nothing behind.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sampleWorldFiles } from '../../main/core/world/catalog.ts'
import { validateWorldFile } from '../../main/core/world/load.ts'
import { createService } from '../../main/create-service.ts'
import type { WorldbenchService } from '../../main/service.ts'
import { requireEngine } from './engines.ts'
import { httpGet, labelledContainers } from './helpers.ts'

const dockerUp = (() => {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

let service: WorldbenchService
beforeAll(() => {
  service = createService()
})
afterAll(async () => {
  await service.close({ stopAll: true })
})

describe('edge-filter: a Wasm component filtering requests in front of a container backend', () => {
  const file = sampleWorldFiles().get('edge-filter')!

  it('validates', async () => {
    const { world, issues } = await validateWorldFile(file)
    expect(issues).toEqual([])
    expect(world!.workloads.find((w) => w.name === 'filter')!.dependsOn).toEqual(['backend'])
  })

  it('blocks /admin and x-block with 403, relays the backend for the rest, and leaves nothing after down', async () => {
    requireEngine('docker', dockerUp, 'apt-get install docker.io, then start dockerd')
    try {
      const status = await service.handlers.worldUp({ world: file })
      expect(status.failed).toEqual([])
      const url = (name: string) => status.instances.find((i) => i.workload === name)!.ports[0]!.url
      for (const i of status.instances) {
        expect(i.state).toBe('running')
        expect(i.ports[0]!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
        expect((await httpGet(i.ports[0]!.url)).status, i.workload).toBe(200)
      }
      const direct = await httpGet(url('backend'))
      expect(direct.body).toContain('hello from the container behind edge-filter')

      const relayed = await httpGet(url('filter'))
      expect(relayed).toEqual({ status: 200, body: direct.body })
      const missing = await httpGet(`${url('filter')}no-such-page`)
      expect(missing.status).toBe(404)

      const filter = url('filter').replace(/\/$/, '')
      for (const path of ['/admin', '/admin/', '//admin/', '/x/../admin/', '/%61dmin/', '/ADMIN/']) {
        const res = await httpGet(`${filter}${path}`)
        expect(res.status, path).toBe(403)
        expect(res.body, path).toContain('blocked (path under /admin)')
        expect(res.body, path).not.toContain('admin page')
      }
      const blocked = await httpGet(url('filter'), { 'x-block': 'yes' })
      expect(blocked.status).toBe(403)
      expect(blocked.body).toContain('blocked (x-block header)')
    } finally {
      await service.handlers.worldDown({ world: file })
    }
    expect(await labelledContainers('io.worldbench.world=edge-filter')).toEqual([])
    expect(service.listInstances().filter((i) => i.world === 'edge-filter')).toEqual([])
  })

  it('refuses outgoing HTTP to an origin not in wasm.allowHttp, and says so in the log', async () => {
    let hits = 0
    const target: Server = createServer((_req, res) => {
      hits++
      res.end('should not be reached\n')
    })
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve))
    const port = (target.address() as AddressInfo).port
    // A world of the filter alone, next to the built component (build/ is gitignored).
    const dir = join(file, '..', 'build')
    mkdirSync(dir, { recursive: true })
    const denyFile = join(dir, 'deny-test.world.yaml')
    writeFileSync(
      denyFile,
      `apiVersion: worldbench/v1
name: edge-filter-deny
workloads:
  - name: filter
    kind: wasm
    wasm: { module: ./edge-filter.wasm, serve: http, allowHttp: ['http://127.0.0.1:1'] }
    env: { BACKEND_URL: 'http://127.0.0.1:${port}' }
    ports: [{ guest: 8080 }]
    ready: { tcp: true, timeoutSeconds: 60 }
`,
    )
    try {
      const status = await service.handlers.worldUp({ world: denyFile })
      expect(status.failed).toEqual([])
      const instance = status.instances[0]!
      const res = await httpGet(instance.ports[0]!.url)
      expect(res.status).toBe(502)
      expect(res.body).toContain('HTTP-request-denied')
      expect(hits).toBe(0)
      const logs = await service.handlers.instanceLogs({ id: instance.id, tail: 50 })
      expect(logs.map((l) => l.line).join('\n')).toContain(
        `denied: outgoing HTTP to http://127.0.0.1:${port}/`,
      )
    } finally {
      await service.handlers.worldDown({ world: denyFile })
      target.close()
    }
  })
})

describe('polyglot: a JS component calling a C and a Rust component through WIT interfaces', () => {
  const file = sampleWorldFiles().get('polyglot')!

  it('validates, with the links resolved to the C and Rust components', async () => {
    const { world, issues } = await validateWorldFile(file)
    expect(issues).toEqual([])
    expect(world!.workloads[0]!.wasm!.link).toEqual({
      'example:text/shout': join(file, '..', 'build', 'shout.wasm'),
      'example:text/count': join(file, '..', 'build', 'count.wasm'),
    })
  })

  it('serves a body from JS with the text shouted by C and counted by Rust, and leaves nothing after down', async () => {
    let hostPid: number | undefined
    try {
      const status = await service.handlers.worldUp({ world: file })
      expect(status.failed).toEqual([])
      expect(status.instances).toHaveLength(1)
      const instance = status.instances[0]!
      expect(instance.state).toBe('running')
      expect(instance.ports[0]!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
      hostPid = (service.supervisor.get(instance.id).instance.handle as { pid?: number }).pid
      expect(await httpGet(instance.ports[0]!.url)).toEqual({
        status: 200,
        body: 'hello from JS, shouted by C: HELLO, 5 letters counted by Rust\n',
      })
      // The answers really come from the C and Rust functions: C leaves non-ASCII bytes alone,
      // Rust counts Unicode letters.
      const custom = await httpGet(`${instance.ports[0]!.url}?text=${encodeURIComponent('wasm wörlds 42')}`)
      expect(custom).toEqual({
        status: 200,
        body: 'wasm wörlds 42 from JS, shouted by C: WASM WöRLDS 42, 10 letters counted by Rust\n',
      })
      const empty = await httpGet(`${instance.ports[0]!.url}?text=`)
      expect(empty).toEqual({ status: 200, body: ' from JS, shouted by C: , 0 letters counted by Rust\n' })
    } finally {
      await service.handlers.worldDown({ world: file })
    }
    expect(service.listInstances().filter((i) => i.world === 'polyglot')).toEqual([])
    expect(hostPid).toBeGreaterThan(0)
    expect(() => process.kill(hostPid!, 0)).toThrow()
  })

  /** A one-workload world next to the built components (build/ is gitignored). */
  const variant = (name: string, link: string) => {
    const variantFile = join(file, '..', 'build', `${name}.world.yaml`)
    writeFileSync(
      variantFile,
      `apiVersion: worldbench/v1
name: ${name}
workloads:
  - name: front
    kind: wasm
    wasm: { module: ./front.wasm, serve: http${link} }
    ports: [{ guest: 8080 }]
`,
    )
    return variantFile
  }

  for (const [name, link, code, message] of [
    [
      'polyglot-half-linked',
      ", link: { 'example:text/shout': ./shout.wasm }",
      'WASM_UNLINKED_IMPORT',
      /imports example:text\/count, which neither WASI nor a linked component provides/,
    ],
    [
      'polyglot-core-link',
      ", link: { 'example:text/shout': ./shout.core.wasm }",
      'WASM_LINK_NOT_COMPONENT',
      /is a core module, not a component/,
    ],
    [
      'polyglot-wrong-link',
      ", link: { 'example:text/shout': ./front.wasm }",
      'WASM_LINK_MISSING_EXPORT',
      /does not export example:text\/shout/,
    ],
  ] as const) {
    it(`refuses to start with ${code} when the import is not satisfied`, async () => {
      const variantFile = variant(name, link)
      try {
        const status = await service.handlers.worldUp({ world: variantFile })
        expect(status.instances).toEqual([])
        expect(status.failed).toHaveLength(1)
        expect(status.failed[0]!.error.code).toBe(code)
        expect(status.failed[0]!.error.message).toMatch(message)
        expect(status.failed[0]!.error.hint).toBeTruthy()
      } finally {
        await service.handlers.worldDown({ world: variantFile })
      }
    })
  }
})
