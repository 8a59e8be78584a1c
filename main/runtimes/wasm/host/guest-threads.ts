/**
 * Threads that run guests, with a queue in front: a workload's own (its host's thread for one
 * guest at a time, else worker threads, as many as its CPU bound), or in a shared host a few
 * worker threads for the guests of every workload in it, so the host's own thread only serves
 * HTTP. A workload registers its compiled module and grants with each thread once; its jobs name
 * it by key. Each workload keeps its own bound on guests running at once (limits.cpus) and its
 * own limits: a guest past its wall-clock limit has its thread terminated and replaced (the
 * registered workloads are loaded into the new one), and only that request or run fails; in a
 * shared host the other threads go on serving meanwhile. A worker thread costs ~50 ms to boot and
 * ~10 MiB PSS, paid once per shared host (and only as guests need them), not per workload.
 */
import { availableParallelism } from 'node:os'
import {
  GuestTally,
  type JobInput,
  type JobOutcome,
  outcomeOf,
  threadFault,
  timeoutError,
} from './guest-outcome.ts'
import { type GuestThread, type PoolOptions, takeWorker } from './guest-pool.ts'
import type { ToWorker, WorkerData, WorkerJob, WorkerMessage } from './worker-messages.ts'

interface Queued {
  guests: WorkloadGuests
  job: WorkerJob
  started: number
  resolve: (o: JobOutcome) => void
}

interface Thread {
  worker: GuestThread
  memorySlot: SharedArrayBuffer
  memory: Float64Array
  up: Promise<void>
  current?: Queued
  timer?: NodeJS.Timeout
}

export class GuestThreads {
  private readonly threads: Thread[] = []
  private readonly queue: Queued[] = []
  private readonly inits = new Map<string, Omit<WorkerData, 'memorySlot'>>()
  private readonly newThread: () => GuestThread
  private closed = false

  private readonly maxSize: number

  /** Starts `size` threads, and more, up to maxSize, whenever a job could run but every thread is busy. */
  constructor(size: number, newThread: () => GuestThread = takeWorker, maxSize = size) {
    this.newThread = newThread
    this.maxSize = maxSize
    for (let i = 0; i < size; i++) this.threads.push(this.spawn())
  }

  async close(): Promise<void> {
    this.closed = true
    await Promise.all(this.threads.map((t) => t.worker.terminate()))
  }

  register(key: string, data: Omit<WorkerData, 'memorySlot'>): Promise<void> {
    this.inits.set(key, data)
    for (const t of this.threads) this.init(t, key, data)
    return Promise.all(this.threads.map((t) => t.up)).then(() => undefined)
  }

  unregister(key: string): void {
    this.inits.delete(key)
    for (const t of this.threads) t.worker.postMessage({ drop: key } satisfies ToWorker)
  }

  /** Jobs of one workload still waiting (it is moving to other threads). */
  takeQueued(guests: WorkloadGuests): Queued[] {
    const mine = this.queue.filter((q) => q.guests === guests)
    for (const q of mine) this.queue.splice(this.queue.indexOf(q), 1)
    return mine
  }

  submit(q: Queued): void {
    this.queue.push(q)
    this.drain()
  }

  /** Linear memory of one workload's guests running now. */
  liveMemoryBytes(guests: WorkloadGuests): number {
    return this.threads.reduce((sum, t) => sum + (t.current?.guests === guests ? (t.memory[0] ?? 0) : 0), 0)
  }

  private init(t: Thread, key: string, data: Omit<WorkerData, 'memorySlot'>): void {
    t.worker.postMessage({ key, init: { ...data, memorySlot: t.memorySlot } } satisfies ToWorker)
  }

  private spawn(): Thread {
    const memorySlot = new SharedArrayBuffer(8)
    let markUp: () => void = () => {}
    const t: Thread = {
      worker: this.newThread(),
      memorySlot,
      memory: new Float64Array(memorySlot),
      up: new Promise((r) => (markUp = r)),
    }
    for (const [key, data] of this.inits) this.init(t, key, data)
    t.worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'up') markUp()
      else if (m.type === 'denied') t.current?.guests.opts.onDenied(m.message)
      else {
        const q = t.current
        if (!q || q.job.id !== m.id) return
        q.guests.tally.add(m, q.guests.opts.onStderr)
        this.finish(t, outcomeOf(m, q.guests.opts.memoryLimitBytes))
      }
    })
    t.worker.on('error', (err) => this.replace(t, threadFault(err)))
    t.worker.on('exit', () => {
      if (!this.closed && this.threads.includes(t)) this.replace(t, threadFault())
    })
    return t
  }

  private finish(t: Thread, outcome: JobOutcome): void {
    const q = t.current
    if (!q) return
    clearTimeout(t.timer)
    t.current = undefined
    q.guests.running--
    q.resolve({ ...outcome, ms: performance.now() - q.started })
    this.drain()
  }

  private replace(t: Thread, error: ReturnType<typeof threadFault>): void {
    const i = this.threads.indexOf(t)
    if (i < 0 || this.closed) return
    const q = t.current
    clearTimeout(t.timer)
    t.current = undefined
    this.threads[i] = this.spawn()
    void t.worker.terminate()
    if (q) {
      q.guests.running--
      // The thread was busy with that guest the whole time.
      q.guests.tally.guestCpuMs += performance.now() - q.started
      q.resolve({ ok: false, error, memoryBytes: t.memory[0] ?? 0, ms: performance.now() - q.started })
    }
    this.drain()
  }

  private drain(): void {
    for (const q of this.queue.filter((q) => q.guests.closed)) {
      this.queue.splice(this.queue.indexOf(q), 1)
      q.resolve({ ok: false, error: stoppedError(), memoryBytes: 0, ms: 0 })
    }
    const runnable = () => this.queue.findIndex((q) => q.guests.running < q.guests.opts.size)
    // Busy threads (a long guest, or a runaway until its limit) and a job that may run: one more.
    if (
      !this.closed &&
      this.threads.length < this.maxSize &&
      this.threads.every((t) => t.current) &&
      runnable() >= 0
    )
      this.threads.push(this.spawn())
    for (const t of this.threads) {
      if (t.current) continue
      const i = runnable()
      if (i < 0) return
      const q = this.queue.splice(i, 1)[0]!
      q.guests.running++
      q.started = performance.now()
      t.current = q
      const timeoutMs = q.guests.opts.timeoutMs
      if (timeoutMs !== undefined)
        t.timer = setTimeout(() => this.replace(t, timeoutError(timeoutMs)), timeoutMs)
      t.worker.postMessage(q.job satisfies ToWorker)
    }
  }
}

const stoppedError = () => ({
  code: 'WASM_STOPPED',
  message: 'The workload was stopped before this request ran.',
  hint: 'Start the workload again.',
})

let shared: GuestThreads | undefined
/**
 * The guest threads of this (shared) host: one at first, up to one a core (at least two, so a
 * runaway always leaves one) as guests find them all busy. Each costs ~10 MiB PSS here.
 */
export function hostGuestThreads(): GuestThreads {
  shared ??= new GuestThreads(1, takeWorker, Math.max(2, Math.min(4, availableParallelism())))
  return shared
}

export function hostGuestThreadsStarted(): boolean {
  return shared !== undefined
}

let nextKey = 1

/** One workload's guests on a set of guest threads: its own (`own`, closed with it) or its host's. */
export class WorkloadGuests {
  opts: PoolOptions
  readonly tally = new GuestTally()
  running = 0
  closed = false
  private readonly key = `w${nextKey++}`
  private threads: GuestThreads
  private own: boolean
  private registered: Promise<void>
  private nextId = 1
  private readonly closeListeners: (() => void)[] = []

  constructor(opts: PoolOptions, threads: GuestThreads, own: boolean) {
    this.opts = opts
    this.threads = threads
    this.own = own
    this.registered = this.threads.register(this.key, opts.data)
  }

  ready(): Promise<void> {
    return this.registered
  }

  run(input: JobInput): Promise<JobOutcome> {
    const job: WorkerJob =
      input.mode === 'command'
        ? { id: this.nextId++, key: this.key, mode: 'command', ...(input.stdin && { stdin: input.stdin }) }
        : { id: this.nextId++, key: this.key, mode: 'cgi', env: input.env, body: input.body }
    return new Promise((resolve) =>
      this.threads.submit({ guests: this, job, started: performance.now(), resolve }),
    )
  }

  liveMemoryBytes(): number {
    return this.threads.liveMemoryBytes(this)
  }

  /**
   * Moves to its host's threads, with the options that go with them. Called between events, when
   * a guest on the host's own thread has finished (it runs synchronously).
   */
  moveTo(threads: GuestThreads, opts: PoolOptions): void {
    if (threads === this.threads) return
    const old = this.threads
    const wasOwn = this.own
    this.opts = opts
    this.threads = threads
    this.own = false
    this.registered = threads.register(this.key, opts.data)
    for (const q of old.takeQueued(this)) threads.submit(q)
    if (wasOwn) void old.close()
    else old.unregister(this.key)
  }

  onClose(listener: () => void): void {
    this.closeListeners.push(listener)
  }

  async close(): Promise<void> {
    this.closed = true
    for (const l of this.closeListeners) l()
    if (this.own) await this.threads.close()
    else this.threads.unregister(this.key)
  }
}
