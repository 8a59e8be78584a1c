import { randomUUID } from 'node:crypto'
import type {
  BenchKindResult,
  BenchMetric,
  BenchReport,
  DensityResult,
  MethodParams,
  Sample,
} from '../../../preload/api.ts'
import type { RuntimeRegistry } from '../../runtimes/registry.ts'
import type { Instance, Runtime } from '../../runtimes/runtime.ts'
import { toErrorShape, WorldbenchError } from '../errors.ts'
import type { EventBus } from '../events.ts'
import { runPrepareScript } from '../prepare-script.ts'
import { httpOk, readySpec, sleep, waitReady } from '../readiness.ts'
import { withResolvedRefs } from '../world/refs.ts'
import type { Kind, Workload, World } from '../world/schema.ts'
import { type Dependencies, startDependencies } from './dependencies.ts'
import { benchEnvironment } from './environment.ts'
import { runLoad } from './load.ts'
import { summarize } from './stats.ts'

export type BenchOptions = Omit<MethodParams<'benchRun'>, 'world'>

type RunMetrics = Partial<Record<BenchMetric, number>>

const IDLE_SAMPLE_MS = 250

/**
 * The same workload deployed as each kind, each repeat measured phase by phase: prepare, cold
 * start (start requested → ready), first response, idle, load, stop. Kinds are interleaved
 * (A B C A B C…) so drift hits all alike; warm-up rounds are run and not counted. A kind that
 * fails is reported with its reason and the others go on.
 */
export class BenchRunner {
  private readonly registry: RuntimeRegistry
  private readonly bus: EventBus

  constructor(registry: RuntimeRegistry, bus: EventBus) {
    this.registry = registry
    this.bus = bus
  }

  async run(world: World, opts: BenchOptions): Promise<BenchReport> {
    const started = performance.now()
    const candidates = pickWorkloads(world, opts.kinds)
    const engines = await Promise.all(this.registry.all().map((r) => r.probe()))
    const environment = await benchEnvironment(engines)
    const results = new Map<Kind, BenchKindResult>()
    for (const [kind, w] of candidates) {
      const result: BenchKindResult = {
        kind,
        workload: w?.name ?? '-',
        metrics: {},
        runs: [],
      }
      results.set(kind, result)
      if (!w)
        result.error = {
          code: 'NO_WORKLOAD',
          message: `World "${world.name}" has no ${kind} workload to benchmark.`,
          hint: 'Add one, or leave this kind out with --kinds.',
        }
      else {
        const status = engines.find((e) => e.kind === kind)
        if (!status?.available) {
          result.error = {
            code: 'ENGINE_UNAVAILABLE',
            message: `The ${kind} engine is not available: ${status?.error?.message ?? 'not found'}`,
            ...(status?.error?.hint !== undefined && { hint: status.error.hint }),
          }
        }
      }
    }
    const rounds = opts.warmups + opts.repeats
    const active = () =>
      [...candidates].filter(([kind, w]) => w && !results.get(kind)!.error) as [Kind, Workload][]
    for (const [kind, w] of active()) {
      const result = results.get(kind)!
      try {
        this.progress(`${kind}: preparing ${w.name}`, 0)
        if (w.prepare) await runPrepareScript(w, (line) => this.progress(`${kind}: ${line}`, 0))
      } catch (err) {
        result.error = toErrorShape(err)
      }
    }
    // What the measured workloads depend on runs once, beside the rounds, and is not measured.
    const needing = active().filter(([, w]) => w.dependsOn.length > 0)
    let deps: Dependencies | undefined
    try {
      if (needing.length > 0) {
        this.progress('starting dependencies', 0)
        deps = await startDependencies(
          this.registry,
          world,
          needing.map(([, w]) => w),
        )
      }
    } catch (err) {
      for (const [kind] of needing) results.get(kind)!.error = toErrorShape(err)
    }
    const measured = () =>
      active().map(([kind, w]) => [kind, deps ? withResolvedRefs(w, deps.urlOf) : w] as [Kind, Workload])
    try {
      for (let round = 0; round < rounds; round++) {
        const warmup = round < opts.warmups
        for (const [kind, w] of measured()) {
          const result = results.get(kind)!
          const label = warmup
            ? `warm-up ${round + 1}/${opts.warmups}`
            : `repeat ${round - opts.warmups + 1}/${opts.repeats}`
          try {
            const metrics = await this.measureOnce(this.registry.get(kind), w, opts, (phase) =>
              this.progress(`${kind} ${label}: ${phase}`, ((round + 0.5) / rounds) * 100),
            )
            if (!warmup) result.runs.push(metrics)
          } catch (err) {
            result.error = toErrorShape(err)
          }
        }
      }
      for (const result of results.values()) {
        const keys = new Set(result.runs.flatMap((r) => Object.keys(r) as BenchMetric[]))
        for (const key of keys) {
          const values = result.runs
            .map((r) => r[key])
            .filter((v): v is number => v !== undefined && Number.isFinite(v))
          if (values.length > 0) result.metrics[key] = summarize(values)
        }
      }
      if (opts.density) {
        for (const [kind, w] of measured()) {
          const result = results.get(kind)!
          if (result.error) continue
          result.density = await this.density(this.registry.get(kind), w, opts.density, (n) =>
            this.progress(`${kind} density: ${n} running`, 100),
          )
        }
      }
    } finally {
      await deps?.stop()
    }
    this.progress('done', 100)
    return {
      id: randomUUID(),
      title: `${world.name}: ${[...results.keys()].join(' vs ')}`,
      world: world.name,
      options: {
        kinds: [...results.keys()],
        repeats: opts.repeats,
        warmups: opts.warmups,
        loadSeconds: opts.loadSeconds,
        idleSeconds: opts.idleSeconds,
        connections: opts.connections,
        ...(opts.density && { density: opts.density }),
      },
      environment,
      results: [...results.values()],
      createdAt: Date.now(),
      durationMs: performance.now() - started,
    }
  }

  /** One cold start to stop of one workload; whatever happens, nothing is left running. */
  private async measureOnce(
    runtime: Runtime,
    w: Workload,
    opts: BenchOptions,
    phase: (p: string) => void,
  ): Promise<RunMetrics> {
    const m: RunMetrics = {}
    phase('prepare')
    const artifact = await runtime.prepare(w, () => {})
    m.artifactBytes = artifact.bytes
    phase('cold start')
    const t0 = performance.now()
    const instance = await runtime.start(w, artifact)
    try {
      const port = instance.ports[0]
      if (!port)
        throw new WorldbenchError(
          'BENCH_NO_PORT',
          `${w.name} has no port to measure.`,
          'Benchmarks measure HTTP workloads: give it a port.',
        )
      await waitReady({ name: `${w.name} (${w.kind})`, ports: instance.ports, ready: readySpec(w) })
      m.coldStartMs = performance.now() - t0
      const path = w.ready?.http ?? '/'
      while (!(await httpOk(port, path))) {
        if (performance.now() - t0 > readySpec(w).timeoutSeconds * 1000)
          throw new WorldbenchError(
            'NO_RESPONSE',
            `${w.name} never answered HTTP ${path} with success.`,
            'Check its logs.',
          )
        await sleep(10)
      }
      m.firstResponseMs = performance.now() - t0
      if (opts.idleSeconds > 0) {
        phase('idle')
        const idle = await sampleFor(runtime, instance, opts.idleSeconds * 1000)
        m.idleMemoryBytes = median(idle.map((s) => s.memoryBytes))
        m.idleCpuPercent = mean(idle.slice(1).map((s) => s.cpuPercent))
      }
      if (opts.loadSeconds > 0) {
        phase('load')
        const during = sampleFor(runtime, instance, opts.loadSeconds * 1000)
        const load = await runLoad({
          url: new URL(path, port.url).toString(),
          seconds: opts.loadSeconds,
          connections: opts.connections,
        })
        const samples = await during
        m.requestsPerSecond = load.requestsPerSecond
        m.latencyP50Ms = load.latencyP50Ms
        m.latencyP99Ms = load.latencyP99Ms
        m.loadErrors = load.errors
        m.loadCpuPercent = mean(samples.slice(1).map((s) => s.cpuPercent))
        m.loadMemoryBytes = Math.max(...samples.map((s) => s.memoryBytes))
      }
    } finally {
      phase('stop')
      const t1 = performance.now()
      await runtime.stop(instance, { timeoutMs: 10_000 })
      m.stopMs = performance.now() - t1
    }
    return m
  }

  /**
   * Starts instances of one workload one after another (each ready before the next) until the
   * count or the memory budget is reached, sampling the memory of all after each start; then
   * stops them all. The slope of total memory over count is the marginal cost of one more.
   */
  private async density(
    runtime: Runtime,
    w: Workload,
    limit: { count: number; memoryBudgetMiB?: number },
    progress: (n: number) => void,
  ): Promise<DensityResult> {
    const artifact = await runtime.prepare(w, () => {})
    const instances: Instance[] = []
    const totals: number[] = []
    let stoppedBecause: DensityResult['stoppedBecause'] = 'count'
    let error: DensityResult['error']
    try {
      while (instances.length < limit.count) {
        const instance = await runtime.start(w, artifact)
        instances.push(instance)
        await waitReady({ name: `${w.name} (${w.kind})`, ports: instance.ports, ready: readySpec(w) })
        await sleep(500)
        const samples = await Promise.all(instances.map((i) => runtime.sample(i)))
        const total = samples.reduce((a, x) => a + x.memoryBytes, 0)
        totals.push(total)
        progress(instances.length)
        if (limit.memoryBudgetMiB !== undefined && total >= limit.memoryBudgetMiB * 1024 * 1024) {
          stoppedBecause = 'memory budget'
          break
        }
      }
    } catch (err) {
      stoppedBecause = 'error'
      error = toErrorShape(err)
    } finally {
      await Promise.all(instances.map((i) => runtime.stop(i, { timeoutMs: 10_000 }).catch(() => undefined)))
    }
    return {
      started: totals.length,
      stoppedBecause,
      ...(error && { error }),
      totalMemoryBytes: totals,
      marginalMemoryBytes: slope(totals),
    }
  }

  private progress(message: string, percent: number): void {
    this.bus.emit('progress', { scope: 'bench', step: message.split(':')[0] ?? 'bench', percent, message })
  }
}

/** For each kind asked for, the first workload of that kind in the world (or none). */
export function pickWorkloads(world: World, kinds?: Kind[]): Map<Kind, Workload | undefined> {
  const wanted = kinds ?? [...new Set(world.workloads.map((w) => w.kind))]
  return new Map(wanted.map((k) => [k, world.workloads.find((w) => w.kind === k)]))
}

async function sampleFor(runtime: Runtime, instance: Instance, ms: number): Promise<Sample[]> {
  const out: Sample[] = []
  const end = performance.now() + ms
  while (performance.now() < end) {
    out.push(await runtime.sample(instance))
    await sleep(IDLE_SAMPLE_MS)
  }
  return out
}

/** Least-squares slope of ys over 1..n; with one point, that point. */
export function slope(ys: number[]): number {
  const n = ys.length
  if (n === 0) return Number.NaN
  if (n === 1) return ys[0]!
  const xMean = (n + 1) / 2
  const yMean = ys.reduce((a, b) => a + b, 0) / n
  let num = 0
  let den = 0
  ys.forEach((y, i) => {
    num += (i + 1 - xMean) * (y - yMean)
    den += (i + 1 - xMean) ** 2
  })
  return num / den
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0
    ? Number.NaN
    : s.length % 2
      ? s[(s.length - 1) / 2]!
      : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

function mean(xs: number[]): number {
  return xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length
}
