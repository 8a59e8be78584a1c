/**
 * What runs a guest job, wherever it runs (a worker thread, or inline on the host's thread): the
 * body goes in through a file and the response and the guest's stderr come out through files,
 * since Node's WASI takes stdio as fds only (files on tmpfs cost a few µs per request). A CGI
 * guest's stderr is posted with its result, so in a host shared by many workloads each line lands
 * in its own workload's log. Results carry the CPU time of the thread during the run.
 */
import { closeSync, fstatSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { devNull } from 'node:os'
import { join } from 'node:path'
import { toErrorShape } from '../../../core/errors.ts'
import { type GuestSpec, runGuest } from './guest-run.ts'
import type { WorkerData, WorkerJob, WorkerMessage } from './worker-messages.ts'

export interface GuestJobs {
  run(job: WorkerJob): void
  /** Linear memory of the guest running now (0 when idle). */
  liveMemory: Float64Array<ArrayBufferLike>
}

export function guestJobs(
  data: WorkerData,
  tag: string | number,
  post: (m: WorkerMessage) => void,
): GuestJobs {
  const spec: GuestSpec = {
    module: data.module,
    memoryImports: data.memoryImports,
    argv: data.argv,
    env: data.env,
    dirs: data.dirs,
  }
  const liveMemory = new Float64Array(data.memorySlot)
  const stdinPath = join(data.tmpDir, `stdin-${tag}`)
  const stdoutPath = join(data.tmpDir, `stdout-${tag}`)
  const stderrPath = join(data.tmpDir, `stderr-${tag}`)
  const hooks = {
    onDenied: (message: string) => post({ type: 'denied', message }),
    onMemory: (bytes: number) => {
      liveMemory[0] = bytes
    },
  }
  const run = (job: WorkerJob): void => {
    const cpu0 = threadCpuMs()
    const fds: number[] = []
    let stderr: number | undefined
    // Read before the fds close, for a failed run too: its last lines say why.
    const stderrText = () =>
      stderr !== undefined && fstatSync(stderr).size > 0 ? { stderr: readFileSync(stderrPath) } : {}
    const open = (path: string, flags: string) => {
      const fd = openSync(path, flags)
      fds.push(fd)
      return fd
    }
    try {
      if (job.mode === 'command') {
        const stdin = job.stdin === 'process' ? 0 : open(devNull, 'r')
        const r = runGuest(spec, { stdin, stdout: 1, stderr: 2 }, hooks)
        post({ type: 'done', id: job.id, ...r, cpuMs: threadCpuMs() - cpu0 })
        return
      }
      writeFileSync(stdinPath, job.body)
      const stdin = open(stdinPath, 'r')
      const stdout = open(stdoutPath, 'w+')
      stderr = open(stderrPath, 'w+')
      const r = runGuest({ ...spec, env: { ...spec.env, ...job.env } }, { stdin, stdout, stderr }, hooks)
      post({
        type: 'done',
        id: job.id,
        ...r,
        cpuMs: threadCpuMs() - cpu0,
        stdout: readFileSync(stdoutPath),
        ...stderrText(),
      })
    } catch (err) {
      post({
        type: 'failed',
        id: job.id,
        error: toErrorShape(err),
        memoryBytes: liveMemory[0] ?? 0,
        cpuMs: threadCpuMs() - cpu0,
        ...stderrText(),
      })
    } finally {
      for (const fd of fds) closeSync(fd)
      liveMemory[0] = 0
    }
  }
  return { run, liveMemory }
}

/** CPU time of the calling thread (a guest runs synchronously on it), in ms; the process's before Node 23.9. */
export function threadCpuMs(): number {
  const u = process.threadCpuUsage?.() ?? process.cpuUsage()
  return (u.user + u.system) / 1000
}
