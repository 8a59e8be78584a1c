/**
 * Runs guests on the host's own thread, in place of a worker thread, for a workload that runs
 * one guest at a time (the default CPU bound): no ~50 ms thread boot, no ~18 MiB thread. The
 * wall-clock limit still holds: the run happens inside vm.runInContext with a timeout, whose
 * watchdog terminates execution, Wasm loops included, and leaves the isolate usable.
 */
import { EventEmitter } from 'node:events'
import { createContext, runInContext } from 'node:vm'
import { type GuestJobs, guestJobs, threadCpuMs } from './guest-jobs.ts'
import { timeoutError } from './guest-outcome.ts'
import type { ToWorker, WorkerMessage } from './worker-messages.ts'

// One context for every inline guest of the host: runs are synchronous, one at a time, and a
// context per workload would cost each workload of a shared host the better part of a MiB.
const context = createContext({ job: () => {} })

export class InlineGuest extends EventEmitter {
  private jobs: GuestJobs | undefined
  private readonly timeoutMs: number | undefined

  constructor(timeoutMs?: number) {
    super()
    this.timeoutMs = timeoutMs
  }

  /** Messages of the call under way; guestJobs posts into whichever call is running. */
  private outbox: WorkerMessage[] = []
  private readonly post = (x: WorkerMessage) => void this.outbox.push(x)

  postMessage(m: ToWorker): void {
    const out: WorkerMessage[] = []
    this.outbox = out
    if ('init' in m) {
      this.jobs = guestJobs(m.init, `inline-${process.pid}`, this.post)
      this.post({ type: 'up' })
    } else if (this.jobs && !('drop' in m)) {
      const jobs = this.jobs
      context.job = () => jobs.run(m)
      const cpu0 = threadCpuMs()
      try {
        runInContext('job()', context, this.timeoutMs !== undefined ? { timeout: this.timeoutMs } : {})
      } catch (err) {
        if ((err as { code?: string }).code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw err
        jobs.liveMemory[0] = 0
        this.post({
          type: 'failed',
          id: m.id,
          memoryBytes: 0,
          cpuMs: threadCpuMs() - cpu0,
          error: timeoutError(this.timeoutMs ?? 0),
        })
      }
    }
    // Delivered like a worker's messages: after this call returns.
    queueMicrotask(() => {
      for (const x of out) this.emit('message', x)
    })
  }

  unref(): void {}

  async terminate(): Promise<number> {
    return 0
  }
}
