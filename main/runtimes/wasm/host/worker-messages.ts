/** Messages between a Wasm host's main thread and its guest worker threads. */
import type { ErrorShape } from '../../../../contract/api.ts'
import type { MemoryImport } from '../module/memory-limit.ts'
import type { GuestDir } from './protocol.ts'

export interface WorkerData {
  module: WebAssembly.Module
  memoryImports: MemoryImport[]
  argv: string[]
  env: Record<string, string>
  dirs: GuestDir[]
  tmpDir: string
  /** One float: the linear memory bytes of the guest running now (0 when idle). */
  memorySlot: SharedArrayBuffer
}

/** key: the workload, on a guest thread of a shared host that runs the guests of many (see guest-threads.ts). */
export type WorkerJob =
  | { id: number; key?: string; mode: 'command'; stdin?: 'process' }
  | { id: number; key?: string; mode: 'cgi'; env: Record<string, string>; body: Uint8Array }

/**
 * A workload's module and grants come first (a thread may have been started before the module
 * was compiled); its jobs follow; drop forgets a workload that has left a shared host.
 */
export type ToWorker = { init: WorkerData; key?: string } | { drop: string } | WorkerJob

export type WorkerMessage =
  | { type: 'up' }
  | { type: 'denied'; message: string }
  | {
      type: 'done'
      id: number
      exitCode: number
      memoryBytes: number
      cpuMs: number
      stdout?: Uint8Array
      stderr?: Uint8Array
    }
  | { type: 'failed'; id: number; error: ErrorShape; memoryBytes: number; cpuMs: number; stderr?: Uint8Array }
