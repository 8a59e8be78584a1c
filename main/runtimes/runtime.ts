import type {
  CostPart,
  EngineStatus,
  InstanceState,
  LogLine,
  PortBinding,
  Sample,
} from '../../preload/api.ts'
import type { WorldbenchError } from '../core/errors.ts'
import type { StartMark } from '../core/start-timeline.ts'
import type { Kind, Workload } from '../core/world/schema.ts'

/** Progress of long work (image builds, VM image builds, compiles): shown to the user as it happens. */
export interface ProgressEvent {
  step: string
  percent?: number
  message?: string
}
export type Progress = (p: ProgressEvent) => void

/** What prepare() produced: the thing a workload runs from, and its size on disk. */
export interface Artifact {
  kind: Kind
  /** Image id, absolute file path, … whatever start() needs to find it again. */
  ref: string
  bytes: number
  details?: Record<string, string | number>
}

/** Engine-side handle of an instance; enough for adopt() and stop() after a restart. */
export interface InstanceHandle {
  containerId?: string
  pid?: number
  qmpSocket?: string
  stateDir?: string
}

export interface Instance {
  id: string
  kind: Kind
  world: string
  workload: string
  state: InstanceState
  reason?: string
  ports: PortBinding[]
  handle: InstanceHandle
  startedAt: number
  /** Guest memory the workload was given (VM memory, container limit, wasm max), if any. */
  guestMemoryBytes?: number
  /** Moments its start reached, appended as they happen (a VM's guest lines come after start()). */
  marks?: StartMark[]
}

export interface LogOptions {
  follow?: boolean
  tail?: number
  signal?: AbortSignal
}

/** A state change the engine reported that Worldbench did not cause (a `docker stop` in a terminal). */
export interface RuntimeEvent {
  instanceId: string
  state: InstanceState
  reason?: string
}

export interface Runtime {
  readonly kind: Kind
  probe(): Promise<EngineStatus>
  prepare(w: Workload, progress: Progress): Promise<Artifact>
  start(w: Workload, a: Artifact): Promise<Instance>
  stop(i: Instance, opts?: { timeoutMs?: number }): Promise<void>
  sample(i: Instance): Promise<Sample>
  logs(i: Instance, opts?: LogOptions): AsyncIterable<LogLine>
  adopt(): Promise<Instance[]>
  /** Optional: state changes made outside Worldbench. Returns an unsubscribe function. */
  watch?(listener: (e: RuntimeEvent) => void): () => void
  /** Optional: everything on the engine, Worldbench's or not (`docker ps -a`), so users see their whole machine. */
  listAll?(): Promise<
    { id: string; name: string; image: string; state: string; ports: PortBinding[]; external: boolean }[]
  >
  /** Optional: whether the engine's health check (a workload's ready.command) has passed. */
  healthy?(i: Instance): Promise<boolean>
  /** Optional: it will get no new work (a setting replaced it): drop what it holds for new work only. */
  retire?(): void
  /**
   * Optional: everything on the host that exists because of this instance, read now, with CPU time
   * so far (the bench takes deltas over a window). Same rule for every kind; core adds the parts.
   */
  cost?(i: Instance): Promise<CostPart[]>
  /** Optional: shared engine processes (dockerd, containerd, a spare host): counted once, not per workload. */
  engineOverhead?(): Promise<CostPart[]>
  /**
   * Optional: settles when the instance dies on its own (an early exit), with an error naming the
   * exit code and last log lines; never settles for a healthy instance or one Worldbench stops.
   */
  exited?(i: Instance): Promise<WorldbenchError>
  /** Optional: the same workload started with the engine alone, no Worldbench: the bench's baseline. */
  startDirect?(w: Workload, a: Artifact, ports: PortBinding[]): Promise<DirectRun>
  /** Optional: release sockets, streams and timers held by the runtime object itself. */
  close?(): Promise<void>
}

/** A workload started directly with its engine (docker API, qemu, node:wasi), for the baseline. */
export interface DirectRun {
  stop(): Promise<void>
}

/** Readiness's view of the engine's health check, where the runtime has one (containers). */
export function healthProbe(runtime: Runtime, i: Instance): { healthy?: () => Promise<boolean> } {
  const healthy = runtime.healthy?.bind(runtime)
  return healthy ? { healthy: () => healthy(i) } : {}
}
