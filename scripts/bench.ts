// `npm run bench` part 1: Worldbench's own overhead. For each kind, the same start measured with
// Worldbench (runtime.start → first HTTP 200) and without it (the engine API, QEMU, or Node's WASI
// directly), interleaved in one run; prints the ratio against the 1.10 target.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Docker from 'dockerode'
import { summarize } from '../main/core/bench/stats.ts'
import { newInstanceId } from '../main/core/ids.ts'
import { bindPorts } from '../main/core/ports.ts'
import { runPrepareScript } from '../main/core/prepare-script.ts'
import { httpOk, sleep } from '../main/core/readiness.ts'
import { sampleWorldFiles } from '../main/core/world/catalog.ts'
import { loadWorld } from '../main/core/world/load.ts'
import type { Kind, Workload } from '../main/core/world/schema.ts'
import { createOptions } from '../main/runtimes/container/create-options.ts'
import { createDefaultRegistry } from '../main/runtimes/default-registry.ts'
import type { Runtime } from '../main/runtimes/runtime.ts'
import { kernelVersion } from '../main/runtimes/vm/kernel-version.ts'
import { chooseMachine } from '../main/runtimes/vm/machine.ts'
import { qemuArgs } from '../main/runtimes/vm/qemu-args.ts'
import { discoverQemu, findQemuBinary } from '../main/runtimes/vm/qemu-discovery.ts'
import { WasmRuntime } from '../main/runtimes/wasm/index.ts'
import type { PortBinding } from '../preload/api.ts'

const REPEATS = Number(process.env.BENCH_REPEATS ?? 5)
const TARGET = 1.1

process.env.WORLDBENCH_HOME ??= mkdtempSync(join(tmpdir(), 'wb-bench-'))
const registry = createDefaultRegistry()
const world = await loadWorld(sampleWorldFiles().get('hello-trio')!)
const docker = new Docker()

/** Polls GET / on 127.0.0.1 every 10 ms; both sides of each ratio poll the same way. */
async function firstOk(port: PortBinding, since: number, timeoutMs: number): Promise<number> {
  while (!(await httpOk(port, '/'))) {
    if (performance.now() - since > timeoutMs)
      throw new Error(`no HTTP 200 on ${port.url} within ${timeoutMs} ms`)
    await sleep(10)
  }
  return performance.now() - since
}

async function viaWorldbench(w: Workload, runtime: Runtime = registry.get(w.kind)): Promise<number> {
  const artifact = await runtime.prepare(w, () => {})
  const t0 = performance.now()
  const instance = await runtime.start(w, artifact)
  try {
    return await firstOk(instance.ports[0]!, t0, 180_000)
  } finally {
    await runtime.stop(instance, { timeoutMs: 10_000 })
  }
}

async function direct(w: Workload): Promise<number> {
  const ports = await bindPorts(w.ports, w.name)
  if (w.kind === 'container') {
    const t0 = performance.now()
    const c = await docker.createContainer(
      createOptions(w, newInstanceId({ world: 'bench-direct', name: w.name }), w.container!.image, ports),
    )
    await c.start()
    try {
      return await firstOk(ports[0]!, t0, 60_000)
    } finally {
      await c.remove({ force: true })
    }
  }
  let child: ChildProcess
  const dir = mkdtempSync(join(tmpdir(), 'wb-direct-'))
  const t0 = performance.now()
  if (w.kind === 'vm') {
    const v = w.vm!
    const qemu = await discoverQemu(findQemuBinary()!)
    const accel = qemu.accelerators[0] ?? 'tcg'
    const args = qemuArgs({
      arch: 'x86_64',
      accel,
      ...chooseMachine({ arch: 'x86_64', accel, machines: qemu.machines, kernel: v.kernel }),
      memoryMiB: v.memoryMiB,
      cpus: v.cpus,
      ...(v.kernel && { kernel: v.kernel }),
      ...(v.initrd && { initrd: v.initrd }),
      forwards: ports.map((p) => ({ host: p.host, guest: p.guest, bind: p.bind })),
      serialLog: join(dir, 'serial.log'),
      qmpSocket: join(dir, 'qmp.sock'),
      pidFile: join(dir, 'pid'),
      name: 'bench-direct',
    })
    child = spawn('qemu-system-x86_64', args, { stdio: 'ignore' })
  } else {
    child = spawn(
      process.execPath,
      [
        '--disable-warning=ExperimentalWarning',
        join(import.meta.dirname, 'bench', 'direct-wasm-cgi.mjs'),
        w.wasm!.module,
        String(ports[0]!.host),
      ],
      { stdio: 'ignore' },
    )
  }
  try {
    return await firstOk(ports[0]!, t0, 180_000)
  } finally {
    child.kill('SIGKILL')
    await new Promise((r) => child.once('exit', r))
    rmSync(dir, { recursive: true, force: true })
  }
}

const kinds: Kind[] = (process.env.BENCH_KINDS?.split(',') as Kind[] | undefined) ?? [
  'wasm',
  'container',
  'vm',
]
// Wasm twice: as users get it (a host booted ahead of the start), and with a cold host, whose
// Node start is inside the measured time, which is the like-for-like overhead of the host.
const coldWasm = new WasmRuntime({ spareHost: false })
const lanes = kinds.flatMap((kind) => {
  const w = world.workloads.find((x) => x.kind === kind)!
  const lane = { label: kind as string, w, runtime: registry.get(kind) }
  return kind === 'wasm' ? [lane, { label: 'wasm, cold host', w, runtime: coldWasm as Runtime }] : [lane]
})
const samples = new Map<string, { wb: number[]; direct: number[] }>()
for (const lane of lanes) {
  process.stderr.write(`preparing ${lane.label}…\n`)
  await runPrepareScript(lane.w, () => {})
  samples.set(lane.label, { wb: [], direct: [] })
}
for (let round = -1; round < REPEATS; round++) {
  for (const { label, w, runtime } of lanes) {
    // Alternate which side goes first, so neither always gets the warmer machine.
    const sides = [
      ['worldbench', () => viaWorldbench(w, runtime)],
      ['direct', () => direct(w)],
    ] as const
    for (const [side, run] of round % 2 === 0 ? sides : [...sides].reverse()) {
      const ms = await run()
      process.stderr.write(
        `  ${round < 0 ? 'warm-up' : `round ${round + 1}/${REPEATS}`} ${label} ${side}: ${ms.toFixed(0)} ms\n`,
      )
      if (round >= 0) samples.get(label)![side === 'direct' ? 'direct' : 'wb'].push(ms)
    }
  }
}
await coldWasm.close()
await registry.close()

console.log('\nWorldbench overhead: start requested → first HTTP 200 (median of %d, interleaved)\n', REPEATS)
console.log(
  `${'kind'.padEnd(16)} ${'worldbench'.padStart(11)} ${'direct'.padStart(9)} ${'ratio'.padStart(6)}  target ≤ ${TARGET}`,
)
for (const [label, s] of samples) {
  const wb = summarize(s.wb).median
  const d = summarize(s.direct).median
  const ratio = wb / d
  console.log(
    `${label.padEnd(16)} ${`${wb.toFixed(0)} ms`.padStart(11)} ${`${d.toFixed(0)} ms`.padStart(9)} ${ratio.toFixed(2).padStart(6)}  ${ratio <= TARGET ? 'PASS' : 'FAIL'}`,
  )
}
const vmLane = lanes.find((l) => l.label === 'vm')
if (vmLane) {
  const qemu = await discoverQemu(findQemuBinary()!)
  const accel = qemu.accelerators[0] ?? 'tcg'
  const v = vmLane.w.vm!
  const boot = chooseMachine({
    arch: qemu.arch,
    accel,
    machines: qemu.machines,
    kernel: v.kernel,
    disk: v.disk,
  })
  const kernel = v.kernel ? ((await kernelVersion(v.kernel)) ?? v.kernel) : 'none (disk boot)'
  console.log(
    `\nVM environment: QEMU ${qemu.version}, accel ${accel}, -M ${boot.machine} (${boot.reason}), kernel ${kernel}`,
  )
}
