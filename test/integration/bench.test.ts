import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runPrepareScript } from '../../main/core/prepare-script.ts'
import { RuntimeRegistry } from '../../main/core/runtime-registry.ts'
import { sampleWorldFiles } from '../../main/core/world/catalog.ts'
import { loadWorld } from '../../main/core/world/load.ts'
import { worldTrustHash } from '../../main/core/world/trust.ts'
import { createService } from '../../main/create-service.ts'
import { ContainerRuntime } from '../../main/runtimes/container/index.ts'
import { VmRuntime } from '../../main/runtimes/vm/index.ts'
import { WasmRuntime } from '../../main/runtimes/wasm/index.ts'
import type { WorldbenchService } from '../../main/service.ts'
import { labelledContainers } from './helpers.ts'

const QUICK = { repeats: 2, warmups: 0, loadSeconds: 1, idleSeconds: 0.5, connections: 4 }

describe('bench', () => {
  let service: WorldbenchService

  beforeAll(async () => {
    service = createService()
    // The delayed fixture builds FROM hello-trio's image, made offline by hello-trio's prepare script.
    const trio = await loadWorld(sampleWorldFiles().get('hello-trio')!)
    const container = trio.workloads.find((w) => w.kind === 'container')!
    await runPrepareScript(container, () => {})
    const runtime = service.registry.get('container')
    await runtime.prepare(container, () => {})
  })
  afterAll(async () => {
    await service.close({ stopAll: true })
    expect(await labelledContainers('io.worldbench.world=delayed-start')).toEqual([])
  })

  it('reports a cold start that contains a known 1.5 s readiness delay', async () => {
    const world = join(import.meta.dirname, '..', 'fixtures', 'worlds', 'delayed-start', 'world.yaml')
    const report = await service.handlers.benchRun({ world, kinds: ['container'], ...QUICK })
    const late = report.results[0]!
    expect(late.error).toBeUndefined()
    expect(late.runs).toHaveLength(2)
    for (const run of late.runs) {
      expect(run.coldStartMs).toBeGreaterThanOrEqual(1500)
      expect(run.firstResponseMs).toBeGreaterThanOrEqual(run.coldStartMs!)
    }
    expect(late.metrics.coldStartMs!.min).toBeGreaterThanOrEqual(1500)
    expect(late.metrics.requestsPerSecond!.median).toBeGreaterThan(0)
    expect(late.metrics.idleMemoryBytes!.median).toBeGreaterThan(0)
    // Saved in the store, listed, and read back whole.
    expect((await service.handlers.benchList(undefined)).map((r) => r.id)).toContain(report.id)
    expect((await service.handlers.benchGet({ id: report.id })).results[0]!.runs).toHaveLength(2)
  })

  it('a TCP readiness probe waits for the server inside, not for the port proxy in front of it', async () => {
    const world = join(import.meta.dirname, '..', 'fixtures', 'worlds', 'delayed-start', 'tcp.yaml')
    const report = await service.handlers.benchRun({ world, ...QUICK, repeats: 1, loadSeconds: 0 })
    const late = report.results[0]!
    expect(late.error).toBeUndefined()
    // docker-proxy accepts on 127.0.0.1 at once; the server inside listens only after 1.5 s.
    expect(late.runs[0]!.coldStartMs).toBeGreaterThanOrEqual(1500)
    expect(await labelledContainers('io.worldbench.world=delayed-tcp')).toEqual([])
  })

  it('a container world without ready: first response timed from the request, beside a direct docker baseline in the same run', async () => {
    const world = join(import.meta.dirname, '..', 'fixtures', 'worlds', 'no-ready', 'world.yaml')
    const report = await service.handlers.benchRun({ world, ...QUICK, direct: true })
    const plain = report.results[0]!
    expect(plain.error).toBeUndefined()
    for (const run of plain.runs) {
      expect(run.firstResponseMs).toBeGreaterThan(0)
      // Ready as this world defines it (a TCP connect) comes no later than the first HTTP success.
      expect(run.coldStartMs).toBeLessThanOrEqual(run.firstResponseMs!)
    }
    expect(plain.direct?.firstResponseMs.samples).toHaveLength(2)
    expect(plain.direct?.overhead).toBeGreaterThan(0)
    expect(plain.direct?.overhead).toBe(
      plain.metrics.firstResponseMs!.median / plain.direct!.firstResponseMs.median,
    )
    expect(await labelledContainers('io.worldbench.world=no-ready')).toEqual([])
    expect(await labelledContainers('io.worldbench.world=bench-direct')).toEqual([])
  })

  it('a 1 s load window gives real CPU and memory: the cgroup, its shim and its proxy, summed', async () => {
    const report = await service.handlers.benchRun({
      world: 'hello-trio',
      kinds: ['container', 'wasm'],
      ...QUICK,
    })
    const [container, wasm] = report.results
    expect(container!.error).toBeUndefined()
    expect(container!.metricErrors).toBeUndefined()
    for (const run of container!.runs) {
      expect(run.loadCpuPercent).toBeGreaterThan(0)
      expect(run.loadMemoryBytes).toBeGreaterThanOrEqual(run.idleMemoryBytes! * 0.9)
    }
    const parts = container!.breakdown!.idle
    const names = parts.map((p) => p.name)
    expect(names).toContain('cgroup')
    expect(names.some((n) => n.startsWith('containerd-shim'))).toBe(true)
    expect(names.some((n) => n.startsWith('docker-proxy :'))).toBe(true)
    expect(container!.breakdown!.loadCpuPercentByPart.cgroup).toBeGreaterThan(0)
    // The full cost is far above the cgroup alone: the shim is ~13 MiB.
    const cgroup = parts.find((p) => p.name === 'cgroup')!.memoryBytes
    expect(container!.metrics.idleMemoryBytes!.median).toBeGreaterThan(cgroup + 4 * 1024 * 1024)
    expect(wasm!.runs.every((r) => r.loadCpuPercent! > 0)).toBe(true)
    expect(wasm!.breakdown!.idle.map((p) => p.name)).toEqual(['wasm host', 'linear memory'])
    // Engine daemons once, beside the results; and a verdict over both kinds.
    expect(report.engineOverhead?.find((e) => e.kind === 'container')?.parts.map((p) => p.name)).toContain(
      'dockerd',
    )
    expect(report.verdict!.rows.find((r) => r.metric === 'idleMemoryBytes')!.ranking).toHaveLength(2)
    expect(report.verdict!.lines[0]).toMatch(/^Here, Wasm was the most efficient on \d of \d metrics/)
  })

  it('starts what a measured workload depends on once, beside the rounds (edge-filter: the filter needs its backend)', async () => {
    const report = await service.handlers.benchRun({ world: 'edge-filter', ...QUICK })
    const byKind = Object.fromEntries(report.results.map((r) => [r.kind, r]))
    expect(byKind.wasm?.error, JSON.stringify(byKind.wasm?.error)).toBeUndefined()
    expect(byKind.wasm?.workload).toBe('filter')
    expect(byKind.wasm?.metrics.requestsPerSecond?.median).toBeGreaterThan(0)
    // Allowed requests went through the filter to the backend dependency and back.
    expect(byKind.wasm?.metrics.loadErrors?.max).toBe(0)
    expect(byKind.container?.error).toBeUndefined()
    expect(await labelledContainers('io.worldbench.world=edge-filter')).toEqual([])
  })

  it('density: starts instances until the count, reports memory after each and the marginal cost of one more', async () => {
    const world = join(import.meta.dirname, '..', 'fixtures', 'worlds', 'wasm-only', 'world.yaml')
    // Its prepare script runs only once trusted (as a person does after reading it).
    await service.handlers.trustWorld({ world, sha256: await worldTrustHash(await loadWorld(world)) })
    const report = await service.handlers.benchRun({
      world,
      ...QUICK,
      repeats: 1,
      loadSeconds: 0,
      idleSeconds: 0,
      density: { count: 3 },
    })
    const d = report.results[0]!.density!
    expect(d.stoppedBecause).toBe('count')
    expect(d.started).toBe(3)
    expect(d.totalMemoryBytes).toHaveLength(3)
    // Every step is measured (what one more costs in a shared host is a bench figure, not a test's).
    for (const bytes of d.totalMemoryBytes) expect(bytes).toBeGreaterThan(0)
    expect(Number.isFinite(d.marginalMemoryBytes)).toBe(true)
    expect(service.listInstances()).toEqual([])
  })

  it('reports a kind whose engine is missing as failed, with its reason, and completes the others', async () => {
    const registry = new RuntimeRegistry()
      .register(new ContainerRuntime({ socketPath: '/nonexistent/docker.sock' }))
      .register(new VmRuntime())
      .register(new WasmRuntime())
    const partial = createService({ registry })
    try {
      const report = await partial.handlers.benchRun({
        world: 'hello-trio',
        kinds: ['container', 'wasm'],
        ...QUICK,
      })
      const [container, wasm] = report.results
      expect(container!.kind).toBe('container')
      expect(container!.error?.code).toBe('ENGINE_UNAVAILABLE')
      expect(container!.error?.message).toContain('/nonexistent/docker.sock')
      expect(wasm!.error).toBeUndefined()
      expect(wasm!.runs).toHaveLength(2)
      expect(wasm!.metrics.coldStartMs!.median).toBeGreaterThan(0)
      expect(wasm!.metrics.artifactBytes!.median).toBeGreaterThan(1000)
      expect(report.environment.host.cores).toBeGreaterThan(0)
      expect(report.environment.wasmEngine).toContain(process.versions.v8)
    } finally {
      await partial.close({ stopAll: true })
    }
  })
})
