/**
 * Worker thread that runs guests, one at a time. The compiled module arrives once (a
 * WebAssembly.Module crosses threads without recompiling); each job is one fresh instance.
 * The host terminates this thread when a guest runs past its wall-clock limit.
 */
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { devNull } from 'node:os'
import { join } from 'node:path'
import { parentPort, threadId } from 'node:worker_threads'
import { toErrorShape } from '../../core/errors.ts'
import { type GuestSpec, runGuest } from './guest-run.ts'
import type { ToWorker, WorkerData, WorkerJob, WorkerMessage } from './worker-messages.ts'

const post = (m: WorkerMessage) => parentPort!.postMessage(m)
let spec: GuestSpec
let liveMemory: Float64Array<ArrayBufferLike> = new Float64Array(1)
let stdinPath = ''
let stdoutPath = ''
const hooks = {
  onDenied: (message: string) => post({ type: 'denied', message }),
  onMemory: (bytes: number) => {
    liveMemory[0] = bytes
  },
}

function init(data: WorkerData): void {
  spec = {
    module: data.module,
    memoryImports: data.memoryImports,
    argv: data.argv,
    env: data.env,
    dirs: data.dirs,
  }
  liveMemory = new Float64Array(data.memorySlot)
  stdinPath = join(data.tmpDir, `stdin-${threadId}`)
  stdoutPath = join(data.tmpDir, `stdout-${threadId}`)
  post({ type: 'up' })
}

function run(job: WorkerJob): void {
  const fds: number[] = []
  const open = (path: string, flags: string) => {
    const fd = openSync(path, flags)
    fds.push(fd)
    return fd
  }
  try {
    if (job.mode === 'command') {
      const r = runGuest(spec, { stdin: open(devNull, 'r'), stdout: 1, stderr: 2 }, hooks)
      post({ type: 'done', id: job.id, exitCode: r.exitCode, memoryBytes: r.memoryBytes })
      return
    }
    // CGI: the body goes in through a file and the response comes out through one: Node's
    // WASI takes stdio as fds only. Files on tmpfs (/dev/shm) cost a few µs per request.
    writeFileSync(stdinPath, job.body)
    const stdin = open(stdinPath, 'r')
    const stdout = open(stdoutPath, 'w+')
    const r = runGuest({ ...spec, env: { ...spec.env, ...job.env } }, { stdin, stdout, stderr: 2 }, hooks)
    const out = readFileSync(stdoutPath)
    post({ type: 'done', id: job.id, exitCode: r.exitCode, memoryBytes: r.memoryBytes, stdout: out })
  } catch (err) {
    post({ type: 'failed', id: job.id, error: toErrorShape(err), memoryBytes: liveMemory[0] ?? 0 })
  } finally {
    for (const fd of fds) closeSync(fd)
    liveMemory[0] = 0
  }
}

parentPort!.on('message', (m: ToWorker) => ('init' in m ? init(m.init) : run(m)))
