import { randomUUID } from 'node:crypto'
import type {
  BenchKindResult,
  BenchMetric,
  BenchReport,
  CostPart,
  MethodParams,
  StartPhase,
} from '../../../contract/api.ts'
import { toErrorShape } from '../errors.ts'
import type { EventBus } from '../events.ts'
import { logFailure } from '../log.ts'
import { runPrepareScript } from '../prepare-script.ts'
import type { RuntimeRegistry } from '../runtime-registry.ts'
import { medianPhases } from '../start-timeline.ts'
import { withResolvedRefs } from '../world/refs.ts'
import type { Kind, Workload, World } from '../world/schema.ts'
import { measureDirect, measureRun } from './cold-start.ts'
import { measureDensity } from './density.ts'
import { type Dependencies, startDependencies } from './dependencies.ts'
import { benchEnvironment } from './environment.ts'
import { summarize } from './stats.ts'
import { benchVerdict } from './verdict.ts'

export type BenchOptions = Omit<MethodParams<'benchRun'>, 'world'>

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
      directOf.set(kind, () => measureDirect(runtime, deps ? withResolvedRefs(w, deps.urlOf) : w))
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
              measureRun(this.registry.get(kind), w, opts, (phase) =>
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
          result.density = await measureDensity(this.registry.get(kind), w, opts.density, (n) =>
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

  /** Shared engine processes of the kinds compared, read once at the end. */
  private async engineOverhead(kinds: Kind[]): Promise<{ kind: Kind; parts: CostPart[] }[]> {
    const out: { kind: Kind; parts: CostPart[] }[] = []
    for (const kind of kinds) {
      const parts = await this.registry
        .get(kind)
        .engineOverhead?.()
        .catch((err: unknown) => {
          logFailure(`could not read the ${kind} engine's own cost`, err)
          return []
        })
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
