/**
 * Worker thread that runs guests, one at a time: of one workload, or on a shared host of every
 * workload registered with it (by key). The compiled module arrives once (a WebAssembly.Module
 * crosses threads without recompiling); each job is one fresh instance. The host terminates this
 * thread when a guest runs past its wall-clock limit.
 */
import { parentPort, threadId } from 'node:worker_threads'
import { type GuestJobs, guestJobs } from './guest-jobs.ts'
import type { ToWorker, WorkerMessage } from './worker-messages.ts'

const post = (m: WorkerMessage) => parentPort!.postMessage(m)
const workloads = new Map<string, GuestJobs>()

parentPort!.on('message', (m: ToWorker) => {
  if ('init' in m) {
    workloads.set(m.key ?? '', guestJobs(m.init, threadId, post))
    post({ type: 'up' })
  } else if ('drop' in m) workloads.delete(m.drop)
  else workloads.get(m.key ?? '')?.run(m)
})
