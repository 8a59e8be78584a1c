/**
 * A fixed number of worker threads that run guests, with a queue in front. The pool size is
 * the CPU bound (at most that many guests compute at once); a guest past its wall-clock limit
 * has its thread terminated and replaced, and only that request or run fails.
 */
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import type { Worker } from 'node:worker_threads'
import type { ErrorShape } from '../../../preload/api.ts'
import {
  GuestTally,
  type JobInput,
  type JobOutcome,
  outcomeOf,
  threadFault,
  timeoutError,
} from './guest-outcome.ts'
import { InlineGuest } from './inline-guest.ts'
import type { ToWorker, WorkerData, WorkerJob, WorkerMessage } from './worker-messages.ts'

export interface PoolOptions {
  data: Omit<WorkerData, 'memorySlot'>
  size: number
  /** Run guests on this thread (size must be 1): see inline-guest.ts. */
  inline?: boolean
  timeoutMs?: number
  memoryLimitBytes?: number
  onDenied: (message: string) => void
  /** What a CGI guest wrote to stderr during one request. */
  onStderr?: (text: string) => void
}

interface Pending {
  id: number
  input: JobInput
  started: number
  resolve: (o: JobOutcome) => void
}

/** What the pool needs of a worker thread; InlineGuest offers the same on the host's thread. */
type GuestThread = Pick<Worker, 'postMessage' | 'terminate' | 'on'>

interface Slot {
  worker: GuestThread
  memory: Float64Array
  up: Promise<void>
  current?: Pending
  timer?: NodeJS.Timeout
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

export function takeWorker(): Worker {
  const worker = warm ?? newWorker()
  warm = undefined
  return worker
}

export class GuestPool {
  private readonly opts: PoolOptions
  private readonly slots: Slot[] = []
  private readonly queue: Pending[] = []
  private nextId = 1
  private closed = false
  readonly tally = new GuestTally()

  constructor(opts: PoolOptions) {
    this.opts = opts
    for (let i = 0; i < Math.max(1, opts.size); i++) this.slots.push(this.spawn())
  }

  /** Resolves when every worker has loaded the module (so the first request pays no start-up). */
  async ready(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.up))
  }

  run(input: JobInput): Promise<JobOutcome> {
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, input, started: performance.now(), resolve })
      this.drain()
    })
  }

  /** Linear memory of the guests running right now. */
  liveMemoryBytes(): number {
    return this.slots.reduce((sum, s) => sum + (s.memory[0] ?? 0), 0)
  }

  async close(): Promise<void> {
    this.closed = true
    await Promise.all(this.slots.map((s) => s.worker.terminate()))
  }

  private spawn(): Slot {
    const memorySlot = new SharedArrayBuffer(8)
    const worker: GuestThread = this.opts.inline
      ? (new InlineGuest(this.opts.timeoutMs) as unknown as GuestThread)
      : takeWorker()
    worker.postMessage({ init: { ...this.opts.data, memorySlot } satisfies WorkerData } satisfies ToWorker)
    let markUp: () => void = () => {}
    const slot: Slot = { worker, memory: new Float64Array(memorySlot), up: new Promise((r) => (markUp = r)) }
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'up') markUp()
      else if (m.type === 'denied') this.opts.onDenied(m.message)
      else {
        this.tally.add(m, this.opts.onStderr)
        this.finish(slot, outcomeOf(m, this.opts.memoryLimitBytes))
      }
    })
    worker.on('error', (err) => this.replace(slot, threadFault(err)))
    worker.on('exit', () => {
      if (!this.closed && this.slots.includes(slot)) this.replace(slot, threadFault())
    })
    return slot
  }

  private finish(slot: Slot, outcome: JobOutcome): void {
    const job = slot.current
    if (!job) return
    clearTimeout(slot.timer)
    slot.current = undefined
    job.resolve({ ...outcome, ms: performance.now() - job.started })
    this.drain()
  }

  private replace(slot: Slot, error: ErrorShape): void {
    const i = this.slots.indexOf(slot)
    if (i < 0 || this.closed) return
    const job = slot.current
    clearTimeout(slot.timer)
    slot.current = undefined
    // A thread stopped mid-run was busy with that guest the whole time.
    if (job) this.tally.guestCpuMs += performance.now() - job.started
    this.slots[i] = this.spawn()
    void slot.worker.terminate()
    if (job)
      job.resolve({ ok: false, error, memoryBytes: slot.memory[0] ?? 0, ms: performance.now() - job.started })
    this.drain()
  }

  private drain(): void {
    for (const slot of this.slots) {
      if (slot.current || this.queue.length === 0) continue
      const job = this.queue.shift()!
      slot.current = job
      const timeoutMs = this.opts.timeoutMs
      if (timeoutMs !== undefined) {
        slot.timer = setTimeout(() => {
          this.replace(slot, timeoutError(timeoutMs))
        }, timeoutMs)
      }
      const msg: WorkerJob =
        job.input.mode === 'command'
          ? { id: job.id, mode: 'command' }
          : { id: job.id, mode: 'cgi', env: job.input.env, body: job.input.body }
      slot.worker.postMessage(msg)
    }
  }
}
