import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InstanceInfo, Kind } from '../../contract/api.ts'
import { EventBus } from '../../main/core/events.ts'
import { sleep } from '../../main/core/readiness.ts'
import type { Instance } from '../../main/core/runtime.ts'
import { Sampler } from '../../main/core/sampler.ts'
import { Supervisor } from '../../main/core/supervisor.ts'
import { loadWorld } from '../../main/core/world/load.ts'
import { createDefaultRegistry } from '../../main/runtimes/default-registry.ts'
import { alive, labelledContainers, qemuProcesses } from './helpers.ts'

const docker = (args: string[]) => promisify(execFile)('docker', args)
const WORLD = join(import.meta.dirname, '..', 'fixtures', 'worlds', 'restart-on-failure', 'vanished.yaml')

/** Removes the engine object behind an instance, as a user (or a crash) would, and waits until it is gone. */
const removeBehindTheBack: Record<Kind, (i: Instance) => Promise<void>> = {
  container: async (i) => {
    await docker(['rm', '-f', i.handle.containerId!])
  },
  vm: (i) => killAndWait(i.handle.pid!),
  wasm: (i) => killAndWait(i.handle.pid!),
}

async function killAndWait(pid: number): Promise<void> {
  process.kill(pid, 'SIGKILL')
  while (alive(pid)) await sleep(20)
}

// The engine watches are off: what is asserted is the rule alone (the Runtime port's doc), not
// whichever engine event would have arrived first.
describe('an instance whose engine object vanished: the same rule for every kind', () => {
  const bus = new EventBus()
  const registry = createDefaultRegistry({ 'wasm.spareHost': 'off' })
  const supervisor = new Supervisor(registry, bus, { watch: false })
  const sampler = new Sampler(supervisor, bus)
  const failedEvents: InstanceInfo[] = []
  bus.on('instance', (i) => {
    if (i.state === 'failed') failedEvents.push(i)
  })

  beforeAll(async () => {
    const status = await supervisor.up(await loadWorld(WORLD))
    expect(status.failed).toEqual([])
  })
  afterAll(async () => {
    await supervisor.close({ stopAll: true })
    for (const r of registry.all()) await r.close?.()
    expect(await labelledContainers('io.worldbench.world=vanished')).toEqual([])
    expect(await qemuProcesses('vanished')).toEqual([])
  })

  it.each(['container', 'vm', 'wasm'] as Kind[])(
    '%s: sample() and cost() throw INSTANCE_GONE naming it; the Sampler marks it failed once and samples it no more',
    async (kind) => {
      const i = supervisor.instances().find((x) => x.kind === kind)!
      const runtime = supervisor.runtimeOf(i.id)
      expect((await sampler.tick())!.instances[i.id]?.memoryBytes).toBeGreaterThan(0)

      await removeBehindTheBack[kind](i)
      // Ticks until the Sampler has seen it gone (a reading the engine sent just before may still arrive).
      for (let n = 0; i.state === 'running'; n++) {
        expect(n, 'still running, ticks after its engine object went').toBeLessThan(600)
        const s = (await sampler.tick())!.instances[i.id]
        if (s) expect(s.memoryBytes, 'a zero sample for a vanished instance').toBeGreaterThan(0)
        await sleep(50)
      }

      expect(i.state).toBe('failed')
      expect(i.reason).toMatch(new RegExp(`^${i.id} is gone: `))
      expect(failedEvents.filter((e) => e.id === i.id)).toHaveLength(1)
      const gone = { code: 'INSTANCE_GONE', message: expect.stringContaining(i.id) }
      await expect(runtime.sample(i)).rejects.toMatchObject(gone)
      await expect(runtime.cost!(i)).rejects.toMatchObject(gone)

      const recorded = sampler.samples(i.id).length
      expect((await sampler.tick())!.instances[i.id]).toBeUndefined()
      expect(sampler.samples(i.id)).toHaveLength(recorded)
      expect(failedEvents.filter((e) => e.id === i.id)).toHaveLength(1)
    },
  )
})
