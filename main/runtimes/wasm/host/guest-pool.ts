/**
 * What a workload's guests run on (see guest-threads.ts): its options, and worker threads,
 * one of them booted ahead while the module compiles.
 */
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import type { Worker } from 'node:worker_threads'
import type { WorkerData } from './worker-messages.ts'

export interface PoolOptions {
  data: Omit<WorkerData, 'memorySlot'>
  /** Guests of the workload running at once: its CPU bound. */
  size: number
  timeoutMs?: number
  memoryLimitBytes?: number
  onDenied: (message: string) => void
  /** What a CGI guest wrote to stderr during one request. */
  onStderr?: (text: string) => void
}

// A bundled build (Electron) names its compiled worker through the environment the host inherits.
const workerUrl = process.env.WORLDBENCH_WASM_GUEST_WORKER
  ? pathToFileURL(process.env.WORLDBENCH_WASM_GUEST_WORKER)
  : new URL('./guest-worker.ts', import.meta.url)

// Loaded on first use: a host whose guests run inline never needs worker_threads (~2 MiB RSS).
const lazyRequire = createRequire(import.meta.url)

function newWorker(): Worker {
  const { Worker } = lazyRequire('node:worker_threads') as typeof import('node:worker_threads')
  const worker = new Worker(workerUrl)
  worker.unref()
  return worker
}

/**
 * A worker thread booted before its module is known: the host starts one as soon as it knows
 * guests will run on workers, so the ~50 ms a thread takes to boot overlaps the module's compile
 * instead of following it.
 */
let warm: Worker | undefined
export function prewarmGuestWorker(): void {
  warm ??= newWorker()
}

/** What runs guests: a worker thread, or InlineGuest on the host's own thread. */
export type GuestThread = Pick<Worker, 'postMessage' | 'terminate' | 'on'>

export function takeWorker(): Worker {
  const worker = warm ?? newWorker()
  warm = undefined
  return worker
}
