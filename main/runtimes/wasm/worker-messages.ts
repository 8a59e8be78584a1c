/** Messages between a Wasm host's main thread and its guest worker threads. */
import type { ErrorShape } from '../../../preload/api.ts'
import type { MemoryImport } from './memory-limit.ts'
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

export type WorkerJob =
  | { id: number; mode: 'command' }
  | { id: number; mode: 'cgi'; env: Record<string, string>; body: Uint8Array }

/** The first message a worker gets (it may have been started before the module was compiled); jobs follow. */
export type ToWorker = { init: WorkerData } | WorkerJob

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
