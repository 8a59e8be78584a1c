import type {
  ContainerImageInfo,
  CostPart,
  EngineStatus,
  InstanceState,
  LogLine,
  PortBinding,
  Sample,
  WasmInspectionInfo,
} from '../../contract/api.ts'
import type { WorldbenchError } from './errors.ts'
import type { ReadySpec } from './readiness.ts'
import type { StartMark } from './start-timeline.ts'
import type { Kind, Workload } from './world/schema.ts'

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

/**
 * The engine-side handle of an instance, the runtime's own business: enough for adopt() and stop()
 * after a restart. Core keeps and stores it and never reads it. The fields the runtimes here use
 * are named for their types; a new runtime may keep its own keys without a change here.
 */
export interface InstanceHandle {
  /** container */
  containerId?: string
  /** vm (QEMU) and wasm (its host process) */
  pid?: number
  /** vm */
  qmpSocket?: string
  /** vm */
  stateDir?: string
  [key: string]: string | number | undefined
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
  /** Moments its start reached, appended as they happen (a VM's guest lines come after start()). */
  marks?: StartMark[]
  /** Settles once marks of moments already past are in (an engine timestamp read after start()). */
  marksPending?: Promise<void>
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

/** An interactive session into an instance (a shell, a serial console): bytes both ways. */
export interface TerminalStream {
  /** What it is, for the header: "sh in the container", "serial console". */
  title: string
  write(data: string): void
  /** Resolves once the new size is in effect. */
  resize(cols: number, rows: number): Promise<void>
  onData(listener: (data: string) => void): void
  onExit(listener: (reason?: string) => void): void
  close(): void
}

/**
 * A driver of one kind. One rule for a vanished instance, the same in every runtime: when the
 * engine object behind an instance no longer exists (its container removed or no longer running,
 * its QEMU process gone, its Wasm host process ended), sample() and cost() throw
 * `instanceGone()` (code INSTANCE_GONE, naming the instance); they never return zeros for it.
 * The Sampler records no sample for it, marks it failed once (a state change like any other the
 * engine reports, so restart policies apply) and samples it no more.
 */
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
  /** Optional: whether the engine's health check (a workload's ready.command) has passed. */
  healthy?(i: Instance): Promise<boolean>
  /**
   * Optional: whether the workload itself listens on its first port, where a proxy in front of it
   * accepts connections first (a container's published port); undefined when it cannot tell.
   */
  listening?(i: Instance): Promise<boolean | undefined>
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
  /** Optional: what the engine stores (container images), and removing it. */
  images?: {
    list(): Promise<ContainerImageInfo[]>
    remove(id: string): Promise<void>
    prune(): Promise<{ removed: number; bytes: number }>
  }
  /** Optional: what the runtime can say about a module file (Wasm), and its compile cache. */
  modules?: {
    inspect(file: string): Promise<WasmInspectionInfo>
    cacheEntries(): Promise<{ hash: string; bytes: number }[]>
    clearCache(): Promise<{ removed: number; bytes: number }>
  }
  /** Optional: an interactive terminal into a running instance. */
  terminal?(i: Instance, size: { cols: number; rows: number }): Promise<TerminalStream>
  /**
   * Optional, instead of terminal(): a terminal that is a fresh run of the workload with the
   * session as its stdin and stdout (a Wasm command), so it opens whether or not an instance runs.
   */
  freshTerminal?(w: Workload, size: { cols: number; rows: number }): Promise<TerminalStream>
  /** Optional: release sockets, streams and timers held by the runtime object itself. */
  close?(): Promise<void>
}

/** A workload started directly with its engine (docker API, qemu, node:wasi), for the baseline. */
export interface DirectRun {
  stop(): Promise<void>
}

/**
 * Readiness's view of the engine: its health check (containers' ready.command), and whether the
 * workload itself listens behind a port proxy (so a TCP probe is not fooled by the proxy).
 */
export function healthProbe(
  runtime: Runtime,
  i: Instance,
): { healthy?: () => Promise<boolean>; listening?: () => Promise<boolean | undefined> } {
  const healthy = runtime.healthy?.bind(runtime)
  const listening = runtime.listening?.bind(runtime)
  return {
    ...(healthy && { healthy: () => healthy(i) }),
    ...(listening && { listening: () => listening(i) }),
  }
}
