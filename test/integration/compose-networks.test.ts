import { execFile } from 'node:child_process'
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService } from '../../main/create-service.ts'
import type { WorldbenchService } from '../../main/service.ts'
import { httpGet, labelledContainers } from './helpers.ts'

const run = promisify(execFile)
const docker = async (args: string[]) => (await run('docker', args)).stdout.trim()
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'compose', 'networks')
const IMAGE = 'worldbench-test/compose-nets:1'
// Its own project name, so another run of this file on the same engine has its own networks.
const PROJECT = `compose-nets-${process.pid}`

/**
 * A GET from inside a container (its busybox wget), by the name the other container has there. A
 * name the network does not know fails at once ("bad address"). No -T: Debian's static busybox
 * 1.35 wget crashes with it.
 */
async function getFrom(container: string, url: string): Promise<{ ok: boolean; out: string }> {
  try {
    const r = await run('docker', ['exec', container, '/bin/busybox', 'wget', '-q', '-O', '-', url])
    return { ok: true, out: r.stdout.trim() }
  } catch (err) {
    return { ok: false, out: String((err as { stderr?: string }).stderr ?? err) }
  }
}

const worldNetworks = () =>
  docker(['network', 'ls', '--filter', `label=io.worldbench.world=${PROJECT}`, '--format', '{{.Name}}']).then(
    (out) => out.split('\n').filter(Boolean).sort(),
  )

describe('Compose networks run on Docker: a service reaches only those it shares a network with', () => {
  let service: WorldbenchService
  let dir: string

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wb-compose-nets-'))
    cpSync(FIXTURE, dir, { recursive: true })
    mkdirSync(join(dir, 'img', 'rootfs', 'bin'), { recursive: true })
    copyFileSync('/bin/busybox', join(dir, 'img', 'rootfs', 'bin', 'busybox'))
    process.env.WB_NETWORKS_PROJECT = PROJECT
    service = createService()
  })
  afterAll(async () => {
    await service.close({ stopAll: true })
    delete process.env.WB_NETWORKS_PROJECT
    await docker(['rmi', '-f', IMAGE]).catch(() => '')
    rmSync(dir, { recursive: true, force: true })
  })

  it('the proxy on front and back reaches the db by name and alias; the web page on front cannot resolve it', async () => {
    const status = await service.handlers.worldUp({ world: join(dir, 'compose.yaml') })
    expect(status.failed).toEqual([])
    expect(status.instances.map((i) => i.workload).sort()).toEqual(['db', 'proxy', 'web'])
    const web = status.instances.find((i) => i.workload === 'web')!
    expect((await httpGet(web.ports[0]!.url)).body.trim()).toBe('web')

    expect(await worldNetworks()).toEqual([`${PROJECT}_back`, `${PROJECT}_front`])
    const [proxyC] = await labelledContainers('io.worldbench.workload=proxy')
    const [dbC] = await labelledContainers('io.worldbench.workload=db')
    const [webC] = await labelledContainers('io.worldbench.workload=web')

    // The proxy shares back with the db: by service name and by its alias there.
    expect(await getFrom(proxyC!, 'http://db:8080/')).toEqual({ ok: true, out: 'db' })
    expect(await getFrom(proxyC!, 'http://database:8080/')).toEqual({ ok: true, out: 'db' })
    // And front with the web page.
    expect(await getFrom(proxyC!, 'http://web:8080/')).toEqual({ ok: true, out: 'web' })
    expect(await getFrom(webC!, 'http://proxy:8080/')).toEqual({ ok: true, out: 'proxy' })
    // The proxy's alias on back is not a name on front.
    expect((await getFrom(webC!, 'http://gateway:8080/')).ok).toBe(false)
    // The web page is on front only: the db's names do not resolve there, and the reverse.
    const blocked = await getFrom(webC!, 'http://db:8080/')
    expect(blocked.ok).toBe(false)
    expect(blocked.out).toMatch(/bad address/)
    expect((await getFrom(webC!, 'http://database:8080/')).ok).toBe(false)
    expect((await getFrom(dbC!, 'http://web:8080/')).out).toMatch(/bad address/)

    // The engine agrees: each network holds exactly the containers that named it.
    const members = async (net: string) =>
      Object.values(
        JSON.parse(await docker(['network', 'inspect', `${PROJECT}_${net}`]))[0].Containers as Record<
          string,
          { Name: string }
        >,
      )
        .map((c) => c.Name)
        .sort()
    expect(await members('front')).toEqual([proxyC, webC].sort())
    expect(await members('back')).toEqual([dbC, proxyC].sort())
    // back is internal (compose.yaml says so), and the engine was asked for it so; keeping the
    // db in is the engine's part (Docker does it with its firewall, and still gives a default route).
    const internal = async (net: string) =>
      JSON.parse(await docker(['network', 'inspect', `${PROJECT}_${net}`]))[0].Internal as boolean
    expect([await internal('back'), await internal('front')]).toEqual([true, false])

    // A network goes with the last container on it, not before: front outlives web (the proxy is
    // still on it), then goes with the proxy, while back stays for the db.
    const id = (name: string) => status.instances.find((i) => i.workload === name)!.id
    await service.handlers.stopInstance({ id: id('web') })
    expect(await worldNetworks()).toEqual([`${PROJECT}_back`, `${PROJECT}_front`])
    await service.handlers.stopInstance({ id: id('proxy') })
    expect(await worldNetworks()).toEqual([`${PROJECT}_back`])

    const { stopped } = await service.handlers.worldDown({ world: PROJECT })
    expect(stopped).toBe(1)
    expect(await labelledContainers(`io.worldbench.world=${PROJECT}`)).toEqual([])
    // Each network went with its last container, as with `docker compose down`.
    expect(await worldNetworks()).toEqual([])
  })
})
