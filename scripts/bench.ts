// `npm run bench` part 1: is the bench fair? Each figure below is measured in this one run.
//  1. Worldbench's overhead per kind: start requested → first HTTP 200 through Worldbench over the
//     same start with the engine alone (runtime.startDirect: docker API, qemu, node:wasi),
//     interleaved by the BenchRunner itself (`worldbench bench --direct`). Target ≤ 1.05.
//  2. A container world with no `ready:` clause: its first response over docker run → first 200
//     of the same image. Target within ±15%.
//  1b. The sample VM's first response next to the container's, with where each goes. Target
//     (issue 16): ≤ 1.5 s under TCG on this machine.
//  3. Container CPU under a 1 s load: the bench's figure (CPU time of the cgroup over the window)
//     over what `docker stats` computes for the same window. Target > 0 and within ±20%.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Docker from 'dockerode'
import type { BenchReport } from '../contract/api.ts'
import { runLoad } from '../main/core/bench/load.ts'
import { BenchRunner } from '../main/core/bench/runner.ts'
import { summarize } from '../main/core/bench/stats.ts'
import { measureWindow } from '../main/core/bench/window.ts'
import { EventBus } from '../main/core/events.ts'
import { runPrepareScript } from '../main/core/prepare-script.ts'
import { waitReady } from '../main/core/readiness.ts'
import { sampleWorldFiles } from '../main/core/world/catalog.ts'
import { loadWorld } from '../main/core/world/load.ts'
import type { Kind, World } from '../main/core/world/schema.ts'
import type { StatsJson } from '../main/runtimes/container/stats-math.ts'
import { createDefaultRegistry } from '../main/runtimes/default-registry.ts'

const REPEATS = Number(process.env.BENCH_REPEATS ?? 5)
const VM_TARGET_MS = 1500
const KINDS = (process.env.BENCH_KINDS?.split(',') as Kind[] | undefined) ?? ['wasm', 'container', 'vm']

process.env.WORLDBENCH_HOME ??= mkdtempSync(join(tmpdir(), 'wb-bench-'))
const registry = createDefaultRegistry()
const bus = new EventBus()
bus.on('progress', (p) => process.stderr.write(`  ${p.message ?? p.step}\n`))
const runner = new BenchRunner(registry, bus)
const world = await loadWorld(sampleWorldFiles().get('hello-trio')!)
for (const w of world.workloads) await runPrepareScript(w, () => {})
const quick = { repeats: REPEATS, warmups: 1, loadSeconds: 0, idleSeconds: 0, connections: 4, direct: true }

const lines: string[] = []
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL')

// 1. Overhead per kind.
const trio = await runner.run(world, { ...quick, kinds: KINDS })
lines.push(
  `Worldbench overhead: start requested → first HTTP 200 over the engine alone (median of ${REPEATS}, interleaved)`,
)
for (const r of trio.results) {
  if (r.error || !r.direct) {
    lines.push(`  ${r.kind.padEnd(10)} FAILED: ${r.error?.message ?? 'no direct baseline'}`)
    continue
  }
  lines.push(
    `  ${r.kind.padEnd(10)} ${r.metrics.firstResponseMs!.median.toFixed(0).padStart(6)} ms vs ${r.direct.firstResponseMs.median.toFixed(0).padStart(6)} ms direct  ratio ${r.direct.overhead.toFixed(2)}  target ≤ 1.05  ${verdict(r.direct.overhead <= 1.05)}`,
  )
}

lines.push(
  '  (wasm: Worldbench keeps a host booted ahead of the next start; the direct baseline starts Node for it)',
)
if (KINDS.includes('vm')) lines.push(...(await vmFirstResponse(trio)))

// 2. A container without `ready:`.
const container = world.workloads.find((w) => w.kind === 'container')!
const { ready: _ready, ...noReady } = container
const plainWorld: World = {
  ...world,
  name: 'hello-no-ready',
  workloads: [{ ...noReady, world: 'hello-no-ready' }],
}
const plain = (await runner.run(plainWorld, { ...quick, kinds: ['container'] })).results[0]!
if (plain.error || !plain.direct)
  lines.push(`No-ready container FAILED: ${plain.error?.message ?? 'no baseline'}`)
else
  lines.push(
    `Container with no ready: first response ${plain.metrics.firstResponseMs!.median.toFixed(0)} ms vs docker run → first 200 ${plain.direct.firstResponseMs.median.toFixed(0)} ms  ratio ${plain.direct.overhead.toFixed(2)}  target 0.85–1.15  ${verdict(plain.direct.overhead >= 0.85 && plain.direct.overhead <= 1.15)}`,
  )

// 3. CPU under a 1 s load against docker stats' own formula over the same window.
const docker = new Docker()
const runtime = registry.get('container')
const artifact = await runtime.prepare(container, () => {})
const ratios: number[] = []
const ours: number[] = []
for (let n = 0; n < REPEATS; n++) {
  const i = await runtime.start(container, artifact)
  try {
    await waitReady({ name: container.name, ports: i.ports, ready: { http: '/', timeoutSeconds: 60 } })
    const c = docker.getContainer(i.handle.containerId!)
    const snap = async () =>
      (await c.stats({ stream: false, 'one-shot': true } as object)) as unknown as StatsJson
    const before = await snap()
    const window = await measureWindow(
      () => runtime.cost!(i),
      'container under load',
      runLoad({ url: i.ports[0]!.url, seconds: 1, connections: 4 }),
    )
    const after = await snap()
    const cpuDelta =
      (after.cpu_stats?.cpu_usage?.total_usage ?? 0) - (before.cpu_stats?.cpu_usage?.total_usage ?? 0)
    const sysDelta = (after.cpu_stats?.system_cpu_usage ?? 0) - (before.cpu_stats?.system_cpu_usage ?? 0)
    const dockerStats = (cpuDelta / sysDelta) * (after.cpu_stats?.online_cpus ?? 1) * 100
    const cgroup = window.cpuPercentByPart.cgroup ?? 0
    ours.push(cgroup)
    ratios.push(cgroup / dockerStats)
    process.stderr.write(
      `  load ${n + 1}/${REPEATS}: bench cgroup ${cgroup.toFixed(0)}% (full cost ${window.cpuPercent.toFixed(0)}%, ${window.readings} readings), docker stats ${dockerStats.toFixed(0)}%\n`,
    )
  } finally {
    await runtime.stop(i, { timeoutMs: 10_000 })
  }
}
const cpuRatio = summarize(ratios).median
lines.push(
  `Container CPU under a 1 s load: bench ${summarize(ours).median.toFixed(0)}% over docker stats  ratio ${cpuRatio.toFixed(2)}  target > 0 and 0.80–1.20  ${verdict(summarize(ours).min > 0 && cpuRatio >= 0.8 && cpuRatio <= 1.2)}`,
)

await registry.close()
console.log(`\n${lines.join('\n')}`)

/** The sample VM against the container, each with its median timeline, and the VM's target line. */
async function vmFirstResponse(run: BenchReport): Promise<string[]> {
  const out = [
    `Cold start → first HTTP 200, sample VM next to the container (median of ${REPEATS}; load at start ${run.environment.loadAtStart[0].toFixed(2)} on ${run.environment.host.cores} cores)`,
  ]
  for (const kind of ['container', 'vm'] as const) {
    const r = run.results.find((x) => x.kind === kind)
    const ms = r?.metrics.firstResponseMs?.median
    if (ms === undefined) {
      out.push(`  ${kind.padEnd(10)} FAILED: ${r?.error?.message ?? 'not measured'}`)
      continue
    }
    const phases = r!.timeline?.map((p) => `${p.name} ${p.ms.toFixed(0)}`).join(' → ') ?? ''
    out.push(`  ${kind.padEnd(10)} ${ms.toFixed(0).padStart(6)} ms   ${phases}`)
  }
  const vm = run.results.find((x) => x.kind === 'vm')?.metrics.firstResponseMs?.median
  const engine = run.environment.engines.find((e) => e.kind === 'vm')
  const accel = run.environment.vmAccelerator ?? 'unknown'
  const artifact = await registry.get('vm').prepare(world.workloads.find((w) => w.kind === 'vm')!, () => {})
  out.push(
    `  VM: kernel ${artifact.details?.kernelVersion ?? artifact.ref}, machine ${engine?.details.machine?.split(' ')[0] ?? 'unknown'}, accelerator ${accel}`,
  )
  if (vm !== undefined)
    out.push(
      `Sample VM first response ${vm.toFixed(0)} ms  target ≤ ${VM_TARGET_MS} ms under TCG${/tcg/.test(accel.split(',')[0]!) ? '' : ` (here ${accel})`}  ${verdict(vm <= VM_TARGET_MS)}`,
    )
  return out
}
