/**
 * The messages between Worldbench and a Wasm host process. A host serves one workload (isolation:
 * process) or many of one world (shared), so every workload message names its workload by `id`.
 * Parent → host: warm (a spare), start, stop, stats. Host → parent: ready, log, stats, exit,
 * error, stopped.
 */
import type { ErrorShape, LogLine } from '../../../../contract/api.ts'
import type { StartMark } from '../../../core/start-timeline.ts'

export type ServeMode = 'command' | 'cgi' | 'http'

export interface GuestDir {
  host: string
  guest: string
  writable: boolean
}

/** Everything a host needs to run one workload; nothing else is granted to the guest. */
export interface HostConfig {
  name: string
  /** The .wasm file (a preview 1 module), or for components the transpiled ES module entry. */
  file: string
  format: 'module' | 'component'
  serve: ServeMode
  args: string[]
  env: Record<string, string>
  dirs: GuestDir[]
  /** Origins a component may call over wasi:http (http mode); none when absent. */
  allowHttp?: string[]
  /** Host port on 127.0.0.1, for cgi and http. */
  port?: number
  memoryMiB?: number
  timeoutSeconds?: number
  /** Guests running at once (cgi): bounds the CPU a workload can use. */
  workers: number
  /** command: the guest reads this process's stdin (a terminal session) instead of an empty one. */
  stdin?: 'process'
}

/** What a spare host is told to get ready for: the module about to start and its memory cap. */
export interface WarmHint {
  file?: string
  memoryMiB?: number
}

/** One workload's own figures inside its host. */
export interface WorkloadStats {
  /** Linear memory of its instances alive now. */
  guestMemoryBytes: number
  /** The largest linear memory one of its instances reached. */
  peakInstanceBytes: number
  requests: number
  /** CPU time spent in its guests (the thread's CPU time around each run). */
  guestCpuMs: number
}

export type ToHost =
  /** own: the workload has the process to itself, which ends with it. */
  | { type: 'start'; id: string; config: HostConfig; own: boolean }
  /** One workload; without id, the whole host. */
  | { type: 'stop'; id?: string }
  | { type: 'stats' }
  /** To a spare host, before it has a workload: get ready (see warm-up.ts). */
  | { type: 'warm'; hint: WarmHint }

export type FromHost =
  /** marks: where its start went inside the host (host ready, compile or cache hit, instantiate). */
  | { type: 'ready'; id: string; url?: string; startMs: number; marks?: StartMark[] }
  /** Without id: a line of the host itself, shown to each of its workloads. */
  | { type: 'log'; id?: string; line: LogLine }
  | { type: 'stats'; workloads: Record<string, WorkloadStats> }
  | { type: 'exit'; id: string; code: number }
  /** fatal: the workload is over (bad module, command trapped); otherwise one request failed. */
  | { type: 'error'; id: string; error: ErrorShape; fatal: boolean }
  /** The workload is gone from the host (after stop, exit or a fatal error). */
  | { type: 'stopped'; id: string }
