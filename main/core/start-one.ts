import type { StartPhase } from '../../contract/api.ts'
import { WorldbenchError } from './errors.ts'
import { logFailure } from './log.ts'
import { runPrepareScript } from './prepare-script.ts'
import { waitReady } from './readiness.ts'
import { untilCompleted } from './run-once.ts'
import {
  type Artifact,
  healthProbe,
  type Instance,
  type Progress,
  type Runtime,
  type StartOptions,
} from './runtime.ts'
import { epochOf, startPhases } from './start-timeline.ts'
import { readySpec } from './world/ready-spec.ts'
import { withResolvedRefs } from './world/refs.ts'
import type { Workload } from './world/schema.ts'

/** What the caller says about an instance the moment the engine has it, to guide the wait. */
export interface StartWatch {
  /** Called between readiness attempts; throws when the instance already ended. */
  alive?: () => Promise<void>
  /** Ends the log stream a "log" probe follows (by default it ends with the wait). */
  logSignal?: AbortSignal
  /** Its last log lines, added to a NOT_READY error. */
  lastLogLines?: () => string[]
  /** How it is stopped after a failed start (by default: the runtime stops it). */
  stop?: () => Promise<void>
}

export interface StartOneOptions {
  runtime: Runtime
  /** Each step and each line a script prints. */
  progress?: Progress
  /** Aborted: the start ends with CANCELLED and leaves nothing running. */
  signal?: AbortSignal
  /** Run the workload's prepare script (default true; false when it ran once for many starts). */
  prepareScript?: boolean
  /** Throws when the workload's scripts are not trusted as they are now; called before any runs. */
  beforeScripts?: (w: Workload) => Promise<void>
  /** Already prepared (many starts of one artifact): runtime.prepare is not called. */
  artifact?: Artifact
  /** URLs of running dependencies, for `${workloads.NAME.url}`. */
  urlOf?: (name: string) => string | undefined
  startOptions?: StartOptions
  /** Called at the moment the start is requested (performance.now()), before the engine is asked. */
  onRequested?: (t0: number) => void
  /** The engine has the instance (the Supervisor tracks it here). */
  onStarted?: (i: Instance) => Promise<StartWatch> | StartWatch
  /**
   * Replaces the readiness wait (the bench times it with its own prober, beside `standard`);
   * resolves with the performance.now() that counts as ready.
   */
  ready?: (i: Instance, standard: () => Promise<void>) => Promise<number>
  /** The name of the timeline's last phase (default: "port answering" for a network probe, else "ready"). */
  lastPhase?: string
}

export interface Started {
  instance: Instance
  artifact: Artifact
  /** performance.now() when the start was requested, and when it counted as ready. */
  requestedAt: number
  readyAt: number
  /** Where the time went, request to ready. */
  timeline: StartPhase[]
}

/**
 * The one start sequence of a workload: prepare script → prepare → resolve references → start →
 * wait until ready (for a `run: once` step: until it exited 0). On any failure nothing of it is left running. The Supervisor, the bench and the
 * bench's dependencies differ only in the options they pass.
 */
export async function startOne(w: Workload, opts: StartOneOptions): Promise<Started> {
  const { runtime } = opts
  const progress = opts.progress ?? (() => {})
  const cancelled = () => {
    if (opts.signal?.aborted)
      throw new WorldbenchError(
        'CANCELLED',
        `Starting ${w.name} was cancelled.`,
        'The world is being stopped.',
      )
  }
  cancelled()
  const runPrepare = opts.prepareScript !== false && w.prepare !== undefined
  if (runPrepare || w.vm?.build || w.wasm?.build) await opts.beforeScripts?.(w)
  if (runPrepare) {
    progress({ step: 'build', message: `Running ${w.prepare}` })
    await runPrepareScript(w, (line) => progress({ step: 'build', message: line }))
  }
  let artifact = opts.artifact
  if (!artifact) {
    progress({ step: 'prepare', message: `Preparing ${w.kind} artifact` })
    artifact = await runtime.prepare(w, progress)
  }
  cancelled()
  progress({ step: 'start', message: 'Starting' })
  const resolved = opts.urlOf ? withResolvedRefs(w, opts.urlOf) : w
  const requestedAt = performance.now()
  opts.onRequested?.(requestedAt)
  const instance = await runtime.start(resolved, artifact, opts.startOptions)
  instance.state = 'starting'
  const watch = (await opts.onStarted?.(instance)) ?? {}
  const spec = readySpec(w)
  const waitEnds = new AbortController()
  const logSignal = watch.logSignal ?? waitEnds.signal
  const standard = async () => {
    if (w.run === 'once') return untilCompleted(w, runtime, instance, spec, opts.signal)
    await waitReady({
      name: `${w.name} (${w.kind})`,
      ports: instance.ports,
      ready: spec,
      ...(opts.signal && { signal: opts.signal }),
      logs: () => runtime.logs(instance, { follow: true, tail: 10_000, signal: logSignal }),
      ...healthProbe(runtime, instance),
      ...(watch.alive && { alive: watch.alive }),
    })
  }
  let readyAt: number
  try {
    readyAt = opts.ready
      ? await opts.ready(instance, standard)
      : await standard().then(() => performance.now())
    cancelled()
  } catch (err) {
    const last = watch.lastLogLines?.() ?? []
    const stop = watch.stop ?? (() => runtime.stop(instance, { timeoutMs: 10_000 }))
    await stop().catch((e: unknown) =>
      logFailure('could not stop an instance whose start failed', e, { instance: instance.id }),
    )
    cancelled()
    if (err instanceof WorldbenchError && err.code === 'NOT_READY') {
      throw new WorldbenchError(
        err.code,
        err.message,
        `${err.hint}${last.length ? `\nLast log lines:\n${last.join('\n')}` : ''}`,
        { lastLogLines: last },
      )
    }
    throw err
  } finally {
    waitEnds.abort()
  }
  const lastPhase =
    opts.lastPhase ?? (w.run === 'once' ? 'completed' : spec.http || spec.tcp ? 'port answering' : 'ready')
  // After ready, off the measured path: a mark still on its way is waited for, briefly.
  await settledWithin(instance.marksPending, MARKS_WAIT_MS)
  const timeline = startPhases(epochOf(requestedAt), instance.marks ?? [], epochOf(readyAt), lastPhase)
  return { instance, artifact, requestedAt, readyAt, timeline }
}

/** An engine answers an inspect in milliseconds; a second is far beyond that and still not a hang. */
const MARKS_WAIT_MS = 1000

function settledWithin(p: Promise<void> | undefined, ms: number): Promise<void> {
  if (!p) return Promise.resolve()
  let timer: NodeJS.Timeout | undefined
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms)
  })
  return Promise.race([p, limit]).finally(() => clearTimeout(timer))
}
