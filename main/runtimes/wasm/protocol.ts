/**
 * The messages between Worldbench and a Wasm host process (one host per workload).
 * Parent → host: warm (a spare), start, stop, stats. Host → parent: ready, log, stats, exit, error.
 */
import type { ErrorShape, LogLine } from '../../../preload/api.ts'

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
}

/** What a spare host is told to get ready for: the module about to start and its memory cap. */
export interface WarmHint {
  file?: string
  memoryMiB?: number
}

export type ToHost =
  | { type: 'start'; config: HostConfig }
  | { type: 'stop' }
  | { type: 'stats' }
  /** To a spare host, before it has a workload: get ready (see warm-up.ts). */
  | { type: 'warm'; hint: WarmHint }

export type FromHost =
  | { type: 'ready'; url?: string; startMs: number }
  | { type: 'log'; line: LogLine }
  | { type: 'stats'; guestMemoryBytes: number; requests: number }
  | { type: 'exit'; code: number }
  /** fatal: the workload is over (bad module, command trapped); otherwise one request failed. */
  | { type: 'error'; error: ErrorShape; fatal: boolean }

export function isFromHost(m: unknown): m is FromHost {
  return typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string'
}
