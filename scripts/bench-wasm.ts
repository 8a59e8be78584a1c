// `npm run bench` part 2: the Wasm runtime's own targets (issues 5 and 14), measured in one run on
// the hello-trio CGI handler: engine time per request, HTTP round trip, start → first response
// (against the container sample), the host's memory with the guest's linear memory apart, and
// shared hosts: one more workload's memory in its world's host, 100 workloads up in one world.
import { spawn } from 'node:child_process'
import { closeSync, copyFileSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { WASI } from 'node:wasi'
import type { PortBinding } from '../contract/api.ts'
import { summarize } from '../main/core/bench/stats.ts'
import { type MemoryBreakdown, memoryBreakdown } from '../main/core/metrics/memory-breakdown.ts'
import { runPrepareScript } from '../main/core/prepare-script.ts'
import { httpOk, sleep } from '../main/core/readiness.ts'
import type { Instance } from '../main/core/runtime.ts'
import { sampleWorldFiles } from '../main/core/world/catalog.ts'
import { loadWorld } from '../main/core/world/load.ts'
import type { Workload } from '../main/core/world/schema.ts'
import { createService } from '../main/create-service.ts'
import { createDefaultRegistry } from '../main/runtimes/default-registry.ts'
import { WasmRuntime } from '../main/runtimes/wasm/index.ts'

process.removeAllListeners('warning')
process.env.WORLDBENCH_HOME ??= mkdtempSync(join(tmpdir(), 'wb-bench-wasm-'))
const registry = createDefaultRegistry()
const world = await loadWorld(sampleWorldFiles().get('hello-trio')!)
const wasm = world.workloads.find((w) => w.kind === 'wasm')!
const container = world.workloads.find((w) => w.kind === 'container')!
for (const w of [wasm, container]) await runPrepareScript(w, () => {})

const rows: [string, string, string, boolean][] = []
const row = (what: string, value: string, target: string, pass: boolean) =>
  rows.push([what, value, target, pass])

// 1. Engine time: instantiate + run of the cached module, as the CGI worker does per request.
{
  const module = await WebAssembly.compile(readFileSync(wasm.wasm!.module))
  const dir = mkdtempSync(join(tmpdir(), 'wb-engine-'))
  const times: number[] = []
  for (let i = 0; i < 1000; i++) {
    const fd = openSync(join(dir, 'out'), 'w')
    const t0 = performance.now()
    const wasi = new WASI({
      version: 'preview1',
      args: ['hello'],
      env: { REQUEST_METHOD: 'GET' },
      stdout: fd,
      returnOnExit: true,
    })
    wasi.start(await WebAssembly.instantiate(module, wasi.getImportObject() as WebAssembly.Imports))
    times.push(performance.now() - t0)
    closeSync(fd)
  }
  rmSync(dir, { recursive: true, force: true })
  const median = summarize(times).median
  row('instantiate + run per request (engine)', `${median.toFixed(3)} ms`, '< 1 ms', median < 1)
}

async function coldStart(
  w: Workload,
  runtime = registry.get(w.kind),
): Promise<{
  ms: number
  pid: number
  stop: () => Promise<void>
  port: PortBinding
  sampleNow: () => ReturnType<ReturnType<typeof registry.get>['sample']>
}> {
  const artifact = await runtime.prepare(w, () => {})
  const t0 = performance.now()
  const instance = await runtime.start(w, artifact)
  const port = instance.ports[0]!
  while (!(await httpOk(port, '/'))) await sleep(5)
  return {
    ms: performance.now() - t0,
    pid: instance.handle.pid ?? 0,
    port,
    stop: () => runtime.stop(instance),
    sampleNow: () => runtime.sample(instance),
  }
}

// 2. Start → first response, Wasm against the container sample, interleaved. Two Wasm figures:
// the default, where a host process was booted ahead (at prepare, and again after each start),
// and a cold host, whose process start is inside the measured time.
{
  const coldRuntime = new WasmRuntime({ spareHost: false })
  const w: number[] = []
  const cold: number[] = []
  const c: number[] = []
  for (let i = 0; i < 6; i++) {
    for (const [workload, into, runtime] of [
      [wasm, w, registry.get('wasm')],
      [wasm, cold, coldRuntime],
      [container, c, registry.get('container')],
    ] as const) {
      const run = await coldStart(workload, runtime)
      if (i > 0) into.push(run.ms)
      await run.stop()
      await sleep(100)
    }
  }
  await coldRuntime.close()
  const wm = summarize(w).median
  const coldm = summarize(cold).median
  const cm = summarize(c).median
  row(
    'new Wasm workload: start → first response, cold host process (its start included)',
    `${coldm.toFixed(0)} ms`,
    '< 100 ms',
    coldm < 100,
  )
  row(
    'new Wasm workload: start → first response, host booted ahead (default)',
    `${wm.toFixed(1)} ms`,
    '–',
    true,
  )
  row(
    '…faster than the container sample by (default / cold host)',
    `${(cm / wm).toFixed(1)}× / ${(cm / coldm).toFixed(1)}× (container ${cm.toFixed(0)} ms)`,
    '≥ 10×',
    cm / wm >= 10,
  )
}

const mib = (b: number | undefined) => (b === undefined ? '–' : `${(b / 1048576).toFixed(1)} MiB`)

// 3. Memory of a running CGI workload's host (idle, then after 500 requests), the HTTP round
// trip, and the floor: a bare Node process started the same way, measured in this run.
{
  const parts = (m: MemoryBreakdown | undefined) =>
    m
      ? `${mib(m.rss)} (file ${mib(m.rssFile)}, anon ${mib(m.rssAnon)}; PSS ${mib(m.pss)}, USS ${mib(m.uss)})`
      : '–'
  const floor = await bareNodeMemory()
  row('floor: a bare Node process (same binary, nothing loaded)', parts(floor), '–', true)

  const run = await coldStart(wasm)
  await sleep(1000)
  const idle = memoryBreakdown(run.pid)
  row(
    'host process RSS, running CGI workload (served, idle)',
    parts(idle),
    '< 60 MB',
    idle !== undefined && idle.rss < 60e6,
  )
  const rtt = await roundTrip(run.port.host, 500)
  row('HTTP round trip on 127.0.0.1 (median of 500)', `${rtt.toFixed(2)} ms`, '≤ 1.5 ms', rtt <= 1.5)
  await sleep(1000)
  const loaded = memoryBreakdown(run.pid)
  row('host process RSS after those 500 requests', parts(loaded), '–', true)
  const s = await run.sampleNow()
  row('guest linear memory between requests (reported apart)', mib(s.guestMemoryBytes), '–', true)
  await run.stop()
}
await registry.close()

// 4. Shared hosts (issue 14): what one more cgi workload of a world costs in its world's host,
// against a host process of its own (isolation: process), measured in this run.
{
  const SHARED = 21
  const OWN = 5
  const cost = await marginalPss(SHARED, 'shared')
  row(
    `one more idle cgi workload in a world, shared host (PSS, each of the 3rd to ${SHARED}st)`,
    mib(cost.perWorkload),
    '≤ 2 MiB',
    cost.perWorkload <= 2 * 2 ** 20,
  )
  row('…the 2nd, which moves the guests to guest threads (booted once per host)', mib(cost.second), '–', true)
  row(`…2nd to ${SHARED}st on average, those threads included`, mib(cost.overall), '–', true)
  const own = await marginalPss(OWN, 'process')
  row(
    `…with isolation: process, a host each (2nd to ${OWN}th on average)`,
    `${mib(own.overall)} (${(own.overall / cost.overall).toFixed(0)}× the shared average)`,
    '–',
    true,
  )
  row(
    `per-request engine time in that shared host (guest thread CPU, median of ${cost.engine.length} runs of 100)`,
    `${summarize(cost.engine).median.toFixed(3)} ms`,
    '≤ 0.6 ms',
    summarize(cost.engine).median <= 0.6,
  )
  row(
    `HTTP round trip to one of its ${SHARED} workloads (median of 500)`,
    `${cost.rtt.toFixed(2)} ms`,
    '≤ 1.5 ms',
    cost.rtt <= 1.5,
  )
  const hundred = await worldOf(100)
  row(
    '100 cgi workloads in one world: world up → every one answered its readiness probe',
    `${(hundred.ms / 1000).toFixed(2)} s`,
    '≤ 3 s',
    hundred.ms <= 3000,
  )
  row('…their shared host once idle (PSS, all 100 workloads)', mib(hundred.pss), '–', true)
}

console.log('\nWasm runtime targets (hello-trio CGI handler)\n')
const w0 = Math.max(...rows.map((r) => r[0].length))
const w1 = Math.max(...rows.map((r) => r[1].length))
for (const [what, value, target, pass] of rows)
  console.log(
    `${what.padEnd(w0)}  ${value.padEnd(w1)}  ${target.padEnd(8)}  ${target === '–' ? '' : pass ? 'PASS' : 'FAIL'}`,
  )
console.log(`
The floor is Node itself: most of a bare Node process's RSS is the pages of the node executable
(file), shared by every Node process on the machine, the Electron main process and all other hosts
included; PSS splits those between sharers, USS is what a host alone costs. Under load the host's
RSS grows by the Node and V8 code it runs (file pages again) and by its V8 heap; the young
generation is capped at 1 MiB for hosts. Guest linear memory is counted apart.`)

/** Median HTTP round trip over one keep-alive connection to 127.0.0.1:port. */
async function roundTrip(port: number, n: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  const rtts: number[] = []
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        res.resume()
        res.on('end', () => resolve())
      })
      req.on('error', reject)
      req.end()
    })
    rtts.push(performance.now() - t0)
  }
  agent.destroy()
  return summarize(rtts).median
}

/** PSS of the hosts behind some instances, once idle (each served once; a host counted once). */
async function idlePss(pids: number[]): Promise<number> {
  await sleep(1500)
  return [...new Set(pids)].reduce((sum, pid) => sum + (memoryBreakdown(pid)?.pss ?? 0), 0)
}

/**
 * Starts the hello handler `n` times in one world, each answering once, and gives what the 2nd
 * cost in PSS over the first (in a shared host, with the guest threads it then boots), each of the
 * 3rd…nth over the 2nd, and the 2nd…nth over the first; with the shared host, also the engine time per request (the guests'
 * thread CPU time) and the HTTP round trip, with all n in the host.
 */
async function marginalPss(n: number, isolation: 'shared' | 'process') {
  const runtime = new WasmRuntime()
  const w = (i: number): Workload => ({
    ...wasm,
    name: `hello-${i}`,
    world: `marginal-${isolation}`,
    wasm: { ...wasm.wasm!, isolation },
  })
  const artifact = await runtime.prepare(w(0), () => {})
  const instances: Instance[] = []
  const serve = async (i: number) => {
    const instance = await runtime.start(w(i), artifact)
    if (!(await httpOk(instance.ports[0]!, '/'))) throw new Error(`hello-${i} did not answer`)
    instances.push(instance)
  }
  await serve(0)
  const one = await idlePss(instances.map((i) => i.handle.pid ?? 0))
  await serve(1)
  const two = await idlePss(instances.map((i) => i.handle.pid ?? 0))
  for (let i = 2; i < n; i++) await serve(i)
  const all = await idlePss(instances.map((i) => i.handle.pid ?? 0))
  const engine: number[] = []
  let rtt = 0
  if (isolation === 'shared') {
    const first = instances[0]!
    const host = runtime.host(first)!
    for (let run = 0; run < 10; run++) {
      const before = await host.stats()
      await roundTrip(first.ports[0]!.host, 100)
      const after = await host.stats()
      engine.push((after.guestCpuMs - before.guestCpuMs) / (after.requests - before.requests))
    }
    rtt = await roundTrip(instances[n - 1]!.ports[0]!.host, 500)
  }
  await runtime.close()
  return {
    second: two - one,
    perWorkload: (all - two) / (n - 2),
    overall: (all - one) / (n - 1),
    engine,
    rtt,
  }
}

/** A world of `n` copies of the hello handler, up through the service as a user would bring it up. */
async function worldOf(n: number): Promise<{ ms: number; pss: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'wb-density-'))
  copyFileSync(wasm.wasm!.module, join(dir, 'hello.wasm'))
  const workloads = Array.from({ length: n }, (_, i) => ({
    name: `hello-${String(i).padStart(3, '0')}`,
    kind: 'wasm',
    wasm: { module: './hello.wasm', serve: 'cgi' },
    ports: [{ host: 0, guest: 8080 }],
    ready: { http: '/', timeoutSeconds: 60 },
  }))
  const file = join(dir, 'world.yaml')
  writeFileSync(file, JSON.stringify({ apiVersion: 'worldbench/v1', name: 'density', workloads }))
  const service = createService()
  try {
    const t0 = performance.now()
    const status = await service.handlers.worldUp({ world: file })
    const ms = performance.now() - t0
    if (status.failed.length || status.instances.length !== n)
      throw new Error(`the density world did not come up: ${JSON.stringify(status.failed)}`)
    const pid = (service.registry.get('wasm') as WasmRuntime).sharedHostPid('density') ?? 0
    return { ms, pss: await idlePss([pid]) }
  } finally {
    await service.close({ stopAll: true })
    rmSync(dir, { recursive: true, force: true })
  }
}

/** A bare Node process, started like a host (same binary and V8 flags), and its memory once settled. */
async function bareNodeMemory(): Promise<MemoryBreakdown | undefined> {
  const child = spawn(process.execPath, ['--max-semi-space-size=1', '-e', 'setTimeout(() => {}, 5000)'], {
    stdio: 'ignore',
  })
  await sleep(1000)
  const m = child.pid === undefined ? undefined : memoryBreakdown(child.pid)
  child.kill()
  return m
}
