import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { sleep } from '../../main/core/readiness.ts'
import { createService } from '../../main/create-service.ts'
import { httpGet, labelledContainers, qemuProcesses, trustTestWorld } from './helpers.ts'

const docker = (args: string[]) => promisify(execFile)('docker', args)
const WORLD = join(import.meta.dirname, '..', 'fixtures', 'worlds', 'restart-on-failure', 'world.yaml')

describe('restart: on-failure after a kill from outside', () => {
  const service = createService()
  afterAll(async () => {
    await service.close({ stopAll: true })
    expect(
      await labelledContainers('io.worldbench.world=restart-on-failure', process.env.WORLDBENCH_HOME),
    ).toEqual([])
    expect(await qemuProcesses('restart-on-failure')).toEqual([])
  })

  it('brings back a `docker kill`ed container, a kill -9ed VM and Wasm host, with the same id and ports, logs appended', async () => {
    await trustTestWorld(service, WORLD)
    const status = await service.handlers.worldUp({ world: WORLD })
    expect(status.failed).toEqual([])
    const before = Object.fromEntries(status.instances.map((i) => [i.kind, i]))
    const box = before.container!
    const guest = before.vm!
    const module = before.wasm!

    // Back means: seen not running after the kill, then running again.
    let t0 = 0
    const down = new Set<string>()
    const back: Record<string, number> = {}
    const off = service.bus.on('instance', (i) => {
      if (i.state !== 'running') down.add(i.id)
      else if (down.has(i.id) && !back[i.kind]) back[i.kind] = Date.now() - t0
    })
    t0 = Date.now()
    await docker(['kill', box.id])
    process.kill(service.supervisor.get(guest.id).instance.handle.pid!, 'SIGKILL')
    process.kill(service.supervisor.get(module.id).instance.handle.pid!, 'SIGKILL')

    const deadline = Date.now() + 120_000
    while (Object.keys(back).length < 3 && Date.now() < deadline) await sleep(100)
    off()
    const now = service.listInstances()
    // A restart keeps the instance: same id, same host port, so dependents' URLs stay right.
    expect(now.map((i) => [i.kind, i.id, i.ports[0]?.host, i.state]).sort(), JSON.stringify(now)).toEqual([
      ['container', box.id, box.ports[0]!.host, 'running'],
      ['vm', guest.id, guest.ports[0]!.host, 'running'],
      ['wasm', module.id, module.ports[0]!.host, 'running'],
    ])
    console.log(
      `back after an outside kill: container ${back.container} ms, VM ${back.vm} ms, Wasm ${back.wasm} ms`,
    )
    for (const i of now) expect((await httpGet(i.ports[0]!.url)).status, i.kind).toBe(200)

    // Logs carry on: what came before (the VM's first boot), a marker with the exit, the new boot.
    const boxLogs = service.supervisor.logs(box.id, 10_000).map((l) => l.line)
    expect(boxLogs).toContain('--- restarted (exit 137) ---')
    const vmLogs = service.supervisor.logs(guest.id, 10_000).map((l) => l.line)
    const marker = vmLogs.indexOf('--- restarted (exit 137) ---')
    expect(marker, vmLogs.join('\n')).toBeGreaterThan(0)
    expect(vmLogs.slice(marker + 1).length).toBeGreaterThan(0)

    expect(
      await labelledContainers('io.worldbench.world=restart-on-failure', process.env.WORLDBENCH_HOME),
    ).toHaveLength(1)
    expect(await qemuProcesses('restart-on-failure')).toHaveLength(1)
    await service.handlers.worldDown({ world: 'restart-on-failure' })
  })
})
