import { randomUUID } from 'node:crypto'
import type {
  BenchKindResult,
  BenchMetric,
  BenchReport,
  CostPart,
  DensityResult,
  ErrorShape,
  MethodParams,
  PortBinding,
  StartPhase,
} from '../../../contract/api.ts'
import { toErrorShape, WorldbenchError } from '../errors.ts'
import type { EventBus } from '../events.ts'
import { totalMemoryBytes } from '../metrics/cost.ts'
import { bindPorts } from '../ports.ts'
import { runPrepareScript } from '../prepare-script.ts'
import { readySpec, sleep } from '../readiness.ts'
import type { DirectRun, Instance, Runtime } from '../runtime.ts'
import type { RuntimeRegistry } from '../runtime-registry.ts'
import { type Started, startOne } from '../start-one.ts'
import { medianPhases } from '../start-timeline.ts'
import { withResolvedRefs } from '../world/refs.ts'
import type { Kind, Workload, World } from '../world/schema.ts'
import { type Dependencies, startDependencies } from './dependencies.ts'
import { benchEnvironment } from './environment.ts'
import { runLoad } from './load.ts'
import { firstSuccess } from './probe.ts'
import { summarize } from './stats.ts'
import { benchVerdict } from './verdict.ts'
import { measureWindow } from './window.ts'

export type BenchOptions = Omit<MethodParams<'benchRun'>, 'world'>

type RunMetrics = Partial<Record<BenchMetric, number>>

interface RunOutcome {
  metrics: RunMetrics
  errors: Partial<Record<BenchMetric, ErrorShape>>
  idleParts?: CostPart[]
  loadCpuByPart?: Record<string, number>
  loadTool?: string
  timeline?: StartPhase[]
}

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
          (p) => this.progress(`dependency ${p.message}`, 0),
        )
      }
    } catch (err) {
      for (const [kind] of needing) results.get(kind)!.error = toErrorShape(err)
    }
    // --direct: the same workload started with its engine alone, in the same interleaved rounds.
    const directOf = new Map<Kind, () => Promise<number>>()
    const directRuns = new Map<Kind, number[]>()
    const timelines = new Map<Kind, StartPhase[][]>()
    for (const [kind, w] of opts.direct ? active() : []) {
      const runtime = this.registry.get(kind)
      if (!runtime.startDirect) {
        results.get(kind)!.metricErrors = {
          firstResponseMs: {
            code: 'NO_DIRECT_BASELINE',
            message: `The ${kind} runtime cannot start a workload without Worldbench: no direct baseline.`,
          },
        }
        continue
      }
      directOf.set(kind, () => this.measureDirect(runtime, deps ? withResolvedRefs(w, deps.urlOf) : w))
      directRuns.set(kind, [])
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
            const once = () =>
              this.measureOnce(this.registry.get(kind), w, opts, (phase) =>
                this.progress(`${kind} ${label}: ${phase}`, ((round + 0.5) / rounds) * 100),
              )
            const baseline = directOf.get(kind)
            // A baseline that cannot run is an error on it alone; the kind's own results stand.
            const direct =
              baseline &&
              (() =>
                baseline().catch((err: unknown) => {
                  directOf.delete(kind)
                  directRuns.delete(kind)
                  result.metricErrors = { ...result.metricErrors, firstResponseMs: toErrorShape(err) }
                  return undefined
                }))
            // Alternate which side goes first, so neither always gets the warmer machine.
            const [outcome, directMs] =
              direct && round % 2 === 1
                ? await direct().then(async (d) => [await once(), d] as const)
                : await once().then(async (o) => [o, await direct?.()] as const)
            if (!warmup) {
              result.runs.push(outcome.metrics)
              if (directMs !== undefined) directRuns.get(kind)?.push(directMs)
              const errors = Object.entries(outcome.errors)
              if (errors.length > 0)
                result.metricErrors = { ...result.metricErrors, ...Object.fromEntries(errors) }
              if (outcome.idleParts || outcome.loadCpuByPart)
                result.breakdown = {
                  idle: outcome.idleParts ?? [],
                  loadCpuPercentByPart: outcome.loadCpuByPart ?? {},
                }
              if (outcome.loadTool) result.loadTool = outcome.loadTool
              if (outcome.timeline) timelines.set(kind, [...(timelines.get(kind) ?? []), outcome.timeline])
            }
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
        const starts = timelines.get(result.kind)
        if (starts) result.timeline = medianPhases(starts)
        const direct = directRuns.get(result.kind)
        const first = result.metrics.firstResponseMs
        if (direct && direct.length > 0 && first) {
          const summary = summarize(direct)
          result.direct = { firstResponseMs: summary, overhead: first.median / summary.median }
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
    const engineOverhead = await this.engineOverhead([...results.keys()])
    this.progress('done', 100)
    const list = [...results.values()]
    return {
      verdict: benchVerdict(list),
      ...(engineOverhead.length > 0 && { engineOverhead }),
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
        ...(opts.direct && { direct: true }),
      },
      environment,
      results: list,
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
  ): Promise<RunOutcome> {
    const m: RunMetrics = {}
    const out: RunOutcome = { metrics: m, errors: {} }
    phase('prepare')
    const artifact = await runtime.prepare(w, () => {})
    m.artifactBytes = artifact.bytes
    const ports = await benchPorts(w)
    const spec = readySpec(w)
    const path = w.ready?.http ?? '/'
    const name = `${w.name} (${w.kind})`
    const abort = new AbortController()
    phase('cold start')
    // Timed from the request: the prober runs beside start(), so no wait of ours is counted.
    let t0 = 0
    let answered = new Promise<number>(() => {})
    let started: Started
    try {
      started = await startOne(
        { ...w, ports: w.ports.map((p, n) => ({ ...p, host: ports[n]!.host })) },
        {
          runtime,
          artifact,
          prepareScript: false,
          lastPhase: 'port answering',
          onRequested: (at) => {
            t0 = at
            answered = firstSuccess(ports[0]!, path, t0 + spec.timeoutSeconds * 1000, abort.signal, name)
            answered.catch(() => undefined)
          },
          ready: async (instance, standard) => {
            const died = diedEarly(runtime, instance)
            // Ready as the world defines it is the same event as the first success: one prober, one time.
            const readyAt =
              spec.http === path
                ? await Promise.race([answered, died])
                : await Promise.race([standard(), died]).then(() => performance.now())
            m.coldStartMs = readyAt - t0
            const firstAt = await Promise.race([answered, died])
            m.firstResponseMs = firstAt - t0
            return firstAt
          },
        },
      )
    } catch (err) {
      abort.abort()
      throw err
    }
    const { instance } = started
    out.timeline = started.timeline
    try {
      const read = costReader(runtime, instance)
      if (opts.idleSeconds > 0) {
        phase('idle')
        await this.window(out, ['idleMemoryBytes', 'idleCpuPercent'], async () => {
          const idle = await measureWindow(read, `${name} at idle`, opts.idleSeconds * 1000)
          m.idleMemoryBytes = idle.medianMemoryBytes
          m.idleCpuPercent = idle.cpuPercent
          out.idleParts = idle.lastParts
        })
      }
      if (opts.loadSeconds > 0) {
        phase('load')
        const load = runLoad({
          url: new URL(path, instance.ports[0]!.url).toString(),
          seconds: opts.loadSeconds,
          connections: opts.connections,
        })
        await this.window(out, ['loadCpuPercent', 'loadMemoryBytes'], async () => {
          const during = await measureWindow(read, `${name} under load`, load)
          m.loadCpuPercent = during.cpuPercent
          m.loadMemoryBytes = during.peakMemoryBytes
          out.loadCpuByPart = during.cpuPercentByPart
        })
        const done = await load
        out.loadTool = done.tool
        m.requestsPerSecond = done.requestsPerSecond
        m.latencyP50Ms = done.latencyP50Ms
        m.latencyP99Ms = done.latencyP99Ms
        m.loadErrors = done.errors
      }
    } finally {
      abort.abort()
      phase('stop')
      const t1 = performance.now()
      await runtime.stop(instance, { timeoutMs: 10_000 })
      m.stopMs = performance.now() - t1
    }
    return out
  }

  /** A window that could not be measured is an error on its metrics, not a zero; the run goes on. */
  private async window(out: RunOutcome, metrics: BenchMetric[], fn: () => Promise<void>): Promise<void> {
    try {
      await fn()
    } catch (err) {
      if (!(err instanceof WorldbenchError) || err.code !== 'TOO_FEW_SAMPLES') throw err
      for (const k of metrics) out.errors[k] = toErrorShape(err)
    }
  }

  /** The same start with the engine alone (no Worldbench), timed by the same prober. */
  private async measureDirect(runtime: Runtime, w: Workload): Promise<number> {
    const artifact = await runtime.prepare(w, () => {})
    const ports = await benchPorts(w)
    const path = w.ready?.http ?? '/'
    const abort = new AbortController()
    const t0 = performance.now()
    const answered = firstSuccess(
      ports[0]!,
      path,
      t0 + readySpec(w).timeoutSeconds * 1000,
      abort.signal,
      `${w.name} (direct)`,
    )
    answered.catch(() => undefined)
    let run: DirectRun
    try {
      run = await runtime.startDirect!(w, artifact, ports)
    } catch (err) {
      abort.abort()
      throw err
    }
    try {
      return (await answered) - t0
    } finally {
      abort.abort()
      await run.stop()
    }
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
        const { instance } = await startOne(w, { runtime, artifact, prepareScript: false })
        instances.push(instance)
        await sleep(500)
        // The same full cost as the rounds: shims and proxies included.
        const costs = await Promise.all(instances.map((i) => costReader(runtime, i)()))
        const total = costs.reduce((a, parts) => a + totalMemoryBytes(parts), 0)
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

  /** Shared engine processes of the kinds compared, read once at the end. */
  private async engineOverhead(kinds: Kind[]): Promise<{ kind: Kind; parts: CostPart[] }[]> {
    const out: { kind: Kind; parts: CostPart[] }[] = []
    for (const kind of kinds) {
      const parts = await this.registry
        .get(kind)
        .engineOverhead?.()
        .catch(() => [])
      if (parts && parts.length > 0) out.push({ kind, parts })
    }
    return out
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

/** Host ports picked before the clock starts, so the prober knows where to knock from the request on. */
async function benchPorts(w: Workload): Promise<PortBinding[]> {
  if (w.ports.length === 0)
    throw new WorldbenchError(
      'BENCH_NO_PORT',
      `${w.name} has no port to measure.`,
      'Benchmarks measure HTTP workloads: give it a port.',
    )
  return bindPorts(w.ports, `${w.world}/${w.name}`)
}

/** Rejects with the runtime's error when the instance dies on its own; else never settles. */
function diedEarly(runtime: Runtime, instance: Instance): Promise<never> {
  const never = new Promise<never>(() => {})
  return runtime.exited
    ? runtime.exited(instance).then((e) => {
        throw e
      })
    : never
}

/** The full cost when the runtime can tell it; else its sample's memory, with no CPU time. */
function costReader(runtime: Runtime, instance: Instance): () => Promise<CostPart[]> {
  if (runtime.cost) return () => runtime.cost!(instance)
  return async () => {
    const s = await runtime.sample(instance)
    return [{ name: instance.kind, memoryBytes: s.memoryBytes, cpuSeconds: Number.NaN }]
  }
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
