import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { runPrepareScript } from '../../main/core/prepare-script.ts'
import { sleep } from '../../main/core/readiness.ts'
import { sampleWorldFiles } from '../../main/core/world/catalog.ts'
import { loadWorld } from '../../main/core/world/load.ts'
import { createService } from '../../main/create-service.ts'
import { httpGet, labelledContainers, qemuProcesses } from './helpers.ts'

const docker = (args: string[]) => promisify(execFile)('docker', args)

describe('recovery', () => {
  it('after a crash of Worldbench, adopts the container and the VM and starts the Wasm workload again', async () => {
    const first = createService()
    const status = await first.handlers.worldUp({ world: 'hello-trio' })
    expect(status.failed).toEqual([])
    const before = Object.fromEntries(status.instances.map((i) => [i.kind, i.id]))
    // A crash: the process's Wasm hosts die with it; containers and VMs live on.
    await first.close({ stopAll: false })

    const second = createService()
    try {
      await second.start({ restoreWorlds: true })
      const deadline = Date.now() + 60_000
      let instances = second.listInstances()
      while (instances.filter((i) => i.state === 'running').length < 3 && Date.now() < deadline) {
        await sleep(200)
        instances = second.listInstances()
      }
      const byKind = Object.fromEntries(instances.map((i) => [i.kind, i]))
      expect(byKind.container?.id).toBe(before.container)
      expect(byKind.vm?.id).toBe(before.vm)
      expect(byKind.wasm?.id).not.toBe(before.wasm)
      for (const i of instances) {
        expect(i.state, i.kind).toBe('running')
        expect((await httpGet(i.ports[0]!.url)).status, i.kind).toBe(200)
      }
      await second.handlers.worldDown({ world: 'hello-trio' })
    } finally {
      await second.close({ stopAll: true })
    }
    expect(await labelledContainers('io.worldbench.world=hello-trio', process.env.WORLDBENCH_HOME)).toEqual(
      [],
    )
    expect(await qemuProcesses('hello-trio')).toEqual([])
  })

  it('restart: always brings back a container killed from outside', async () => {
    const trio = await loadWorld(sampleWorldFiles().get('hello-trio')!)
    await runPrepareScript(trio.workloads.find((w) => w.kind === 'container')!, () => {})
    const service = createService()
    try {
      await service.registry
        .get('container')
        .prepare(trio.workloads.find((w) => w.kind === 'container')!, () => {})
      const world = join(import.meta.dirname, '..', 'fixtures', 'worlds', 'restart-always', 'world.yaml')
      const status = await service.handlers.worldUp({ world })
      const killed = status.instances[0]!
      let wentDown = false
      const listener = service.bus.on('instance', (i) => {
        if (i.id === killed.id && i.state !== 'running') wentDown = true
      })
      await docker(['kill', killed.id])
      // It comes back in place: the same instance id and host port.
      const deadline = Date.now() + 30_000
      const backNow = () =>
        wentDown
          ? service.listInstances().find((i) => i.id === killed.id && i.state === 'running')
          : undefined
      let back = backNow()
      while (!back && Date.now() < deadline) {
        await sleep(200)
        back = backNow()
      }
      listener()
      expect(back, JSON.stringify(service.listInstances())).toBeDefined()
      expect(back!.ports[0]!.host).toBe(killed.ports[0]!.host)
      expect((await httpGet(back!.ports[0]!.url)).status).toBe(200)
      await service.handlers.worldDown({ world: 'restart-always' })
    } finally {
      await service.close({ stopAll: true })
    }
    expect(
      await labelledContainers('io.worldbench.world=restart-always', process.env.WORLDBENCH_HOME),
    ).toEqual([])
  })
})
