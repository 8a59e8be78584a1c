// `npm run bench` part 2: the Wasm runtime's own targets (issue 5), measured in one run on the
// hello-trio CGI handler: engine time per request, HTTP round trip, start → first response
// (against the container sample), and the host's memory with the guest's linear memory apart.
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { WASI } from 'node:wasi'
import { summarize } from '../main/core/bench/stats.ts'
import { runPrepareScript } from '../main/core/prepare-script.ts'
import { httpOk, sleep } from '../main/core/readiness.ts'
import { sampleWorldFiles } from '../main/core/world/catalog.ts'
import { loadWorld } from '../main/core/world/load.ts'
import type { Workload } from '../main/core/world/schema.ts'
import { createDefaultRegistry } from '../main/runtimes/default-registry.ts'
import type { PortBinding } from '../preload/api.ts'

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

async function coldStart(w: Workload): Promise<{
  ms: number
  stop: () => Promise<void>
  port: PortBinding
  sampleNow: () => ReturnType<ReturnType<typeof registry.get>['sample']>
}> {
  const runtime = registry.get(w.kind)
  const artifact = await runtime.prepare(w, () => {})
  const t0 = performance.now()
  const instance = await runtime.start(w, artifact)
  const port = instance.ports[0]!
  while (!(await httpOk(port, '/'))) await sleep(5)
  return {
    ms: performance.now() - t0,
    port,
    stop: () => runtime.stop(instance),
    sampleNow: () => runtime.sample(instance),
  }
}

// 2. Start → first response, Wasm against the container sample, interleaved.
{
  const w: number[] = []
  const c: number[] = []
  for (let i = 0; i < 6; i++) {
    for (const [workload, into] of [
      [wasm, w],
      [container, c],
    ] as const) {
      const run = await coldStart(workload)
      if (i > 0) into.push(run.ms)
      await run.stop()
    }
  }
  const wm = summarize(w).median
  const cm = summarize(c).median
  row('new Wasm workload: start → first response', `${wm.toFixed(0)} ms`, '< 100 ms', wm < 100)
  row(
    '…faster than the container sample by',
    `${(cm / wm).toFixed(1)}× (container ${cm.toFixed(0)} ms)`,
    '≥ 10×',
    cm / wm >= 10,
  )
}

// 3. HTTP round trip, and memory of a running CGI workload.
{
  const run = await coldStart(wasm)
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  const rtts: number[] = []
  for (let i = 0; i < 500; i++) {
    const t0 = performance.now()
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: run.port.host, path: '/', agent }, (res) => {
        res.resume()
        res.on('end', () => resolve())
      })
      req.on('error', reject)
      req.end()
    })
    rtts.push(performance.now() - t0)
  }
  agent.destroy()
  const rtt = summarize(rtts).median
  row('HTTP round trip on 127.0.0.1 (median of 500)', `${rtt.toFixed(2)} ms`, '< 5 ms', rtt < 5)
  await sleep(1000)
  const s = await run.sampleNow()
  const mib = (b: number | undefined) => (b === undefined ? '–' : `${(b / 1048576).toFixed(1)} MiB`)
  row(
    'host process RSS, running CGI workload',
    `${mib(s.memoryBytes)} (PSS ${mib(s.pssBytes)})`,
    '< 60 MB',
    s.memoryBytes < 60e6,
  )
  row('guest linear memory between requests (reported apart)', mib(s.guestMemoryBytes), '–', true)
  await run.stop()
}
await registry.close()

console.log('\nWasm runtime targets (hello-trio CGI handler)\n')
const w0 = Math.max(...rows.map((r) => r[0].length))
const w1 = Math.max(...rows.map((r) => r[1].length))
for (const [what, value, target, pass] of rows)
  console.log(
    `${what.padEnd(w0)}  ${value.padEnd(w1)}  ${target.padEnd(8)}  ${target === '–' ? '' : pass ? 'PASS' : 'FAIL'}`,
  )
console.log(
  '\nThe RSS floor is the Node host itself: a bare Node process is ~44 MiB here, then the host code and its V8 heap, which grows with garbage under load until GC. Guest memory is the linear memory above.',
)
