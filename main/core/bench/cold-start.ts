import type {
  BenchMetric,
  CostPart,
  ErrorShape,
  MethodParams,
  PortBinding,
  StartPhase,
} from '../../../contract/api.ts'
import { toErrorShape, WorldbenchError } from '../errors.ts'
import { bindPorts } from '../ports.ts'
import type { DirectRun, Instance, Runtime } from '../runtime.ts'
import { type Started, startOne } from '../start-one.ts'
import { readySpec } from '../world/ready-spec.ts'
import type { Workload } from '../world/schema.ts'
import { runLoad } from './load.ts'
import { firstSuccess } from './probe.ts'
import { costReader, measureWindow } from './window.ts'

/** What one measured run does beside the cold start. */
export type RunOptions = Pick<MethodParams<'benchRun'>, 'idleSeconds' | 'loadSeconds' | 'connections'>

export type RunMetrics = Partial<Record<BenchMetric, number>>

export interface RunOutcome {
  metrics: RunMetrics
  errors: Partial<Record<BenchMetric, ErrorShape>>
  idleParts?: CostPart[]
  loadCpuByPart?: Record<string, number>
  loadTool?: string
  timeline?: StartPhase[]
}

/** One cold start to stop of one workload; whatever happens, nothing is left running. */
export async function measureRun(
  runtime: Runtime,
  w: Workload,
  opts: RunOptions,
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
          const firstAt = await Promise.race([answered, died])
          // An answer on the port proves a TCP connect succeeds there: TCP readiness held by then at
          // the latest, whichever of the two pollers saw it first.
          const tcpOnly = spec.tcp && spec.http === undefined && spec.log === undefined && !spec.command
          m.coldStartMs = (tcpOnly ? Math.min(readyAt, firstAt) : readyAt) - t0
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
      await windowOrError(out, ['idleMemoryBytes', 'idleCpuPercent'], async () => {
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
      await windowOrError(out, ['loadCpuPercent', 'loadMemoryBytes'], async () => {
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
async function windowOrError(
  out: RunOutcome,
  metrics: BenchMetric[],
  fn: () => Promise<void>,
): Promise<void> {
  try {
    await fn()
  } catch (err) {
    if (!(err instanceof WorldbenchError) || err.code !== 'TOO_FEW_SAMPLES') throw err
    for (const k of metrics) out.errors[k] = toErrorShape(err)
  }
}

/** The same start with the engine alone (no Worldbench), timed by the same prober. */
export async function measureDirect(runtime: Runtime, w: Workload): Promise<number> {
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
