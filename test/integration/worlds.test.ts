import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RuntimeRegistry } from '../../main/core/runtime-registry.ts'
import { createService } from '../../main/create-service.ts'
import { ContainerRuntime } from '../../main/runtimes/container/index.ts'
import { VmRuntime } from '../../main/runtimes/vm/index.ts'
import { WasmRuntime } from '../../main/runtimes/wasm/index.ts'
import type { WorldbenchService } from '../../main/service.ts'
import { httpGet, labelledContainers, qemuProcesses } from './helpers.ts'

const docker = (args: string[]) => promisify(execFile)('docker', args)

describe('hello-trio: one handler as a VM, a container and Wasm', () => {
  let service: WorldbenchService

  beforeAll(() => {
    service = createService()
  })
  afterAll(async () => {
    await service.close({ stopAll: true })
    expect(await labelledContainers('io.worldbench.world=hello-trio')).toEqual([])
    expect(await qemuProcesses('hello-trio')).toEqual([])
  })

  it('comes up ready on three 127.0.0.1 ports that answer with the same body, and goes down leaving nothing', async () => {
    const status = await service.handlers.worldUp({ world: 'hello-trio' })
    expect(status.failed).toEqual([])
    expect(status.instances.map((i) => i.kind).sort()).toEqual(['container', 'vm', 'wasm'])
    const bodies = new Map<string, string>()
    for (const i of status.instances) {
      expect(i.state).toBe('running')
      expect(i.ports[0]!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
      const res = await httpGet(`${i.ports[0]!.url}?from=test`)
      expect(res.status, i.kind).toBe(200)
      bodies.set(i.kind, res.body)
    }
    expect(bodies.get('wasm')).toContain('Hello from Worldbench!')
    expect(bodies.get('wasm')).toContain('query: from=test')
    expect(bodies.get('container')).toBe(bodies.get('wasm'))
    expect(bodies.get('vm')).toBe(bodies.get('wasm'))

    // A second launch while it runs does not double anything.
    const again = await service.handlers.worldUp({ world: 'hello-trio' })
    expect(again.instances.map((i) => i.id).sort()).toEqual(status.instances.map((i) => i.id).sort())

    // The sampler sees all three with real memory.
    const tick = await service.sampler.tick()
    for (const i of status.instances) expect(tick!.instances[i.id]?.memoryBytes, i.kind).toBeGreaterThan(0)
    const listed = service.listInstances()
    expect(listed.filter((i) => i.world === 'hello-trio')).toHaveLength(3)
    expect(service.listWorlds().find((w) => w.name === 'hello-trio')?.desired).toBe('up')

    const { stopped } = await service.handlers.worldDown({ world: 'hello-trio' })
    expect(stopped).toBe(3)
    expect(service.listInstances()).toEqual([])
    expect(await labelledContainers('io.worldbench.world=hello-trio')).toEqual([])
    expect(await qemuProcesses('hello-trio')).toEqual([])
  })

  it('starts the other kinds when the container engine is missing, naming it with an install hint', async () => {
    const registry = new RuntimeRegistry()
      .register(new ContainerRuntime({ socketPath: join('/nonexistent', 'docker.sock') }))
      .register(new VmRuntime())
      .register(new WasmRuntime())
    const partial = createService({ registry })
    try {
      const status = await partial.handlers.worldUp({ world: 'hello-trio' })
      expect(status.instances.map((i) => i.kind).sort()).toEqual(['vm', 'wasm'])
      expect(status.failed).toHaveLength(1)
      expect(status.failed[0]!.workload).toBe('hello-container')
      expect(status.failed[0]!.error.code).toBe('ENGINE_UNAVAILABLE')
      expect(status.failed[0]!.error.message).toContain('/nonexistent/docker.sock')
      expect(status.failed[0]!.error.hint).toBeTruthy()
      for (const i of status.instances) expect((await httpGet(i.ports[0]!.url)).status).toBe(200)
    } finally {
      await partial.handlers.worldDown({ world: 'hello-trio' })
      await partial.close({ stopAll: true })
    }
    expect(await qemuProcesses('hello-trio')).toEqual([])
  })

  it('lists containers Worldbench did not start as external, so the whole machine is visible', async () => {
    const name = `wb-external-${process.pid}`
    await docker(['run', '-d', '--name', name, '--init', 'worldbench/hello-trio:1'])
    try {
      const all = await service.handlers.listInstances({ includeExternal: true })
      const ext = all.find((i) => i.workload === name)
      expect(ext).toMatchObject({
        external: true,
        kind: 'container',
        world: 'external',
        state: 'running',
        image: 'worldbench/hello-trio:1',
      })
      expect(
        (await service.handlers.listInstances({ includeExternal: false })).find((i) => i.workload === name),
      ).toBeUndefined()
    } finally {
      await docker(['rm', '-f', name])
    }
  })

  it('refuses a malformed world before starting anything, naming file, line and field', async () => {
    const bad = join(import.meta.dirname, '..', 'fixtures', 'worlds', 'bad-port.yaml')
    await expect(service.handlers.worldUp({ world: bad })).rejects.toMatchObject({ code: 'WORLD_INVALID' })
    await expect(service.handlers.worldUp({ world: bad })).rejects.toThrow(
      /bad-port\.yaml:\d+:\d+ workloads\.0\.ports\.0\.guest/,
    )
    expect(service.listInstances()).toEqual([])
  })
})
