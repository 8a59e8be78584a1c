/**
 * Shared Wasm hosts with real guests (clang-14 wasm32-wasi, scripts/build-wasm-samples.sh): the
 * cgi workloads of a world in one host process, each with its own sandbox, limits, port, log and
 * samples; isolation: process for a host of one's own; a shared host killed from outside.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InstanceInfo } from '../../contract/api.ts'
import { sleep } from '../../main/core/readiness.ts'
import type { Instance } from '../../main/core/runtime.ts'
import { loadWorld } from '../../main/core/world/load.ts'
import { type Workload, WorkloadSchema } from '../../main/core/world/schema.ts'
import { worldTrustHash } from '../../main/core/world/trust.ts'
import { createService } from '../../main/create-service.ts'
import { WasmRuntime } from '../../main/runtimes/wasm/index.ts'
import { requireEngine } from './engines.ts'
import { alive, httpGet } from './helpers.ts'

const root = resolve(import.meta.dirname, '../..')
const hello = join(root, 'resources/worlds/hello-trio/build/hello.wasm')
const fx = (name: string) => join(root, 'test/fixtures/wasm/build', name)

const runtime = new WasmRuntime()
const started: Instance[] = []

function cgi(world: string, name: string, module: string, extra: Record<string, unknown> = {}): Workload {
  return { ...WorkloadSchema.parse({ name, kind: 'wasm', wasm: { module, serve: 'cgi' }, ...extra }), world }
}

async function up(w: Workload): Promise<Instance> {
  const i = await runtime.start(w, await runtime.prepare(w, () => {}))
  started.push(i)
  return i
}

const logOf = (i: Instance) =>
  runtime
    .host(i)!
    .logs.tail(500)
    .map((l) => `${l.stream}: ${l.line}`)
    .join('\n')

beforeAll(() => {
  requireEngine(
    'clang-14 (wasm32-wasi)',
    spawnSync('clang-14', ['--version']).status === 0,
    'apt-get install -y clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32 gcc',
  )
  execFileSync('bash', [join(root, 'scripts/build-wasm-samples.sh'), 'hello', 'fixtures'], {
    stdio: 'inherit',
  })
}, 240_000)

afterAll(async () => {
  await Promise.all(started.map((i) => runtime.stop(i, { timeoutMs: 1000 })))
  await runtime.close()
})

describe('a shared host', () => {
  it('keeps a workload answering while the others trap, run away and exhaust their memory', async () => {
    const world = 'faults'
    const good = await up(cgi(world, 'good', hello))
    const trap = await up(cgi(world, 'trap', fx('trap.wasm')))
    const loop = await up(cgi(world, 'loop', fx('loop.wasm'), { limits: { timeoutSeconds: 2 } }))
    const hog = await up(cgi(world, 'hog', fx('hog.wasm'), { limits: { memoryMiB: 16 } }))
    const pids = new Set([good, trap, loop, hog].map((i) => i.handle.pid))
    expect(pids.size).toBe(1)
    expect(runtime.sharedHostPid(world)).toBe(good.handle.pid)
    expect(new Set([good, trap, loop, hog].map((i) => i.ports[0]!.host)).size).toBe(4)

    const order: string[] = []
    const get = (name: string, url: string) =>
      httpGet(url).then((r) => {
        order.push(name)
        return r
      })
    const [t, l, h, g] = await Promise.all([
      get('trap', trap.ports[0]!.url),
      get('loop', loop.ports[0]!.url),
      get('hog', hog.ports[0]!.url),
      get('good', `${good.ports[0]!.url}?during=1`),
    ])
    // The runaway holds one guest thread until its limit, not the host: its neighbour answered first.
    expect(order.indexOf('good')).toBeLessThan(order.indexOf('loop'))
    expect(t.status).toBe(502)
    expect(t.body).toMatch(/WASM_TRAP/)
    expect(l.status).toBe(504)
    expect(l.body).toMatch(/WASM_TIMEOUT/)
    expect(h.status).toBe(502)
    expect(h.body).toMatch(/WASM_MEMORY_LIMIT/)
    expect(g.status).toBe(200)
    expect(g.body).toContain('query: during=1')

    for (let n = 0; n < 5; n++) expect((await httpGet(good.ports[0]!.url)).status).toBe(200)
    for (const i of [good, trap, loop, hog]) expect(runtime.host(i)!.state, i.workload).toBe('running')
    expect(alive(good.handle.pid!)).toBe(true)
    // Each guest's stderr lands in its own workload's log, not in its neighbours'.
    expect(logOf(hog)).toMatch(/stderr: out of memory after (1[0-5]|[0-9]) MiB/)
    expect(logOf(good)).not.toMatch(/out of memory/)
    expect(logOf(loop)).toMatch(/WASM_TIMEOUT/)
    expect(logOf(good)).not.toMatch(/WASM_/)
    // A limit holds per workload: the hog's memory cap is not the good one's.
    expect((await httpGet(hog.ports[0]!.url)).status).toBe(502)
  })

  it('reports samples per workload: its own linear memory, and the host split evenly between them', async () => {
    const world = 'samples'
    const small = await up(cgi(world, 'small', hello))
    const big = await up(cgi(world, 'big', fx('hog.wasm'), { limits: { memoryMiB: 24 } }))
    expect(small.handle.pid).toBe(big.handle.pid)
    expect((await httpGet(small.ports[0]!.url)).status).toBe(200)
    expect((await httpGet(big.ports[0]!.url)).status).toBe(502)
    const s = await runtime.sample(small)
    const b = await runtime.sample(big)
    expect(s.guestPeakBytes).toBeGreaterThan(0)
    expect(s.guestPeakBytes).toBeLessThan(2 * 2 ** 20)
    expect(b.guestPeakBytes).toBeGreaterThan(20 * 2 ** 20)
    expect(b.guestPeakBytes).toBeLessThanOrEqual(24 * 2 ** 20)
    for (const x of [s, b]) {
      expect(x.host?.pid).toBe(small.handle.pid)
      expect(x.host?.workloads).toBe(2)
      expect(x.host!.shareBytes).toBeGreaterThan(0)
      expect(x.host!.shareBytes).toBeLessThan(x.host!.pssBytes ?? x.host!.rssBytes)
    }
    expect(s.host!.shareBytes).toBe(b.host!.shareBytes)
    // Between requests neither holds linear memory: a cgi instance lives for one request.
    expect(s.guestMemoryBytes).toBe(0)
    expect(b.guestMemoryBytes).toBe(0)
  })

  it('gives a workload with isolation: process a host of its own', async () => {
    const world = 'mixed'
    const a = await up(cgi(world, 'a', hello))
    const b = await up(cgi(world, 'b', hello))
    const own = await up({
      ...cgi(world, 'own', hello),
      wasm: { ...cgi(world, 'own', hello).wasm!, isolation: 'process' },
    })
    const elsewhere = await up(cgi('other-world', 'c', hello))
    expect(a.handle.pid).toBe(b.handle.pid)
    expect(own.handle.pid).not.toBe(a.handle.pid)
    expect(elsewhere.handle.pid).not.toBe(a.handle.pid)
    expect(elsewhere.handle.pid).not.toBe(own.handle.pid)
    expect((await runtime.sample(own)).host?.workloads).toBe(1)
    for (const i of [a, b, own, elsewhere]) expect((await httpGet(i.ports[0]!.url)).status).toBe(200)
    // Stopping one workload leaves its neighbour served; the last one out ends the host.
    await runtime.stop(a)
    expect((await httpGet(b.ports[0]!.url)).status).toBe(200)
    await runtime.stop(b)
    const t0 = performance.now()
    while (alive(a.handle.pid!) && performance.now() - t0 < 5000) await sleep(50)
    expect(alive(a.handle.pid!)).toBe(false)
    expect((await httpGet(own.ports[0]!.url)).status).toBe(200)
  })
})

describe('a shared host killed from outside', () => {
  it('fails every workload in it with the reason, and the restart policy brings them back', async () => {
    const service = createService()
    const seen: InstanceInfo[] = []
    service.bus.on('instance', (i) => seen.push(i))
    try {
      const world = join(root, 'test/fixtures/worlds/wasm-only/shared.yaml')
      // Its prepare script runs only once trusted (as a person does after reading it).
      await service.handlers.trustWorld({ world, sha256: await worldTrustHash(await loadWorld(world)) })
      const status = await service.handlers.worldUp({ world })
      expect(status.failed).toEqual([])
      expect(status.instances).toHaveLength(3)
      const wasm = service.registry.get('wasm') as WasmRuntime
      const pid = wasm.sharedHostPid('wasm-shared')!
      expect(pid).toBeGreaterThan(0)
      process.kill(pid, 'SIGKILL')

      const before = new Set(status.instances.map((i) => i.id))
      for (const i of status.instances) {
        const t0 = performance.now()
        while (!seen.some((e) => e.id === i.id && e.state === 'failed') && performance.now() - t0 < 10_000)
          await sleep(50)
        const failed = seen.find((e) => e.id === i.id && e.state === 'failed')
        expect(failed?.reason, i.workload).toMatch(
          new RegExp(`shared Wasm host process ${pid} of 3 workload\\(s\\) ended \\(SIGKILL\\)`),
        )
      }
      // A restart keeps each instance's id (and ports): back means running again under the same id.
      const back = () =>
        service
          .listInstances()
          .filter((i) => i.world === 'wasm-shared' && i.state === 'running' && before.has(i.id))
      const t0 = performance.now()
      while (back().length < 3 && performance.now() - t0 < 30_000) await sleep(100)
      expect(
        back()
          .map((i) => i.workload)
          .sort(),
      ).toEqual(['one', 'three', 'two'])
      for (const i of back()) expect((await httpGet(i.ports[0]!.url)).status).toBe(200)
      const again = wasm.sharedHostPid('wasm-shared')
      expect(again).toBeGreaterThan(0)
      expect(again).not.toBe(pid)
      await service.handlers.worldDown({ world: 'wasm-shared' })
    } finally {
      await service.close({ stopAll: true })
    }
  })
})
