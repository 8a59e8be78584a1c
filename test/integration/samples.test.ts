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
import { createService } from '../../main/create-service.ts'
import { sampleWorldFiles } from '../../main/core/world/catalog.ts'
import { validateWorldFile } from '../../main/core/world/load.ts'
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
      expect(logs.map((l) => l.line).join('\n')).toContain(`denied: outgoing HTTP to http://127.0.0.1:${port}/`)
    } finally {
      await service.handlers.worldDown({ world: denyFile })
      target.close()
    }
  })
})
