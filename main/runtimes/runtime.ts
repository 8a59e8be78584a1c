import type { EngineStatus, InstanceState, LogLine, PortBinding, Sample } from '../../preload/api.ts'
import type { ReadySpec } from '../core/readiness.ts'
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
  /** Its readiness probe, kept on the engine side so an adopted instance is checked before it is shown ready. */
  ready?: ReadySpec
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
  /** How the process ended, when known (128 + signal for a kill, as shells report it). */
  exitCode?: number
}

/** For a restart in place: the instance keeps its id (and so its name on the engine). */
export interface StartOptions {
  id?: string
}

export interface Runtime {
  readonly kind: Kind
  probe(): Promise<EngineStatus>
  prepare(w: Workload, progress: Progress): Promise<Artifact>
  start(w: Workload, a: Artifact, opts?: StartOptions): Promise<Instance>
  stop(i: Instance, opts?: { timeoutMs?: number }): Promise<void>
  sample(i: Instance): Promise<Sample>
  logs(i: Instance, opts?: LogOptions): AsyncIterable<LogLine>
  adopt(): Promise<Instance[]>
  /** Optional: what adopt() would find, without taking hold of it (no monitor connection, no reaping). */
  observe?(): Promise<Instance[]>
  /** Optional: state changes made outside Worldbench. Returns an unsubscribe function. */
  watch?(listener: (e: RuntimeEvent) => void): () => void
  /** Optional: everything on the engine, Worldbench's or not (`docker ps -a`), so users see their whole machine. */
  listAll?(): Promise<
    { id: string; name: string; image: string; state: string; ports: PortBinding[]; external: boolean }[]
  >
  /** Optional: it will get no new work (a setting replaced it): drop what it holds for new work only. */
  retire?(): void
  /** Optional: release sockets, streams and timers held by the runtime object itself. */
  close?(): Promise<void>
}
