/**
 * Entry of a Wasm host process: one per workload, started by spawn-host.ts. It waits for a
 * `start` message, serves the workload, answers `stats`, and exits on `stop`, or by itself
 * as soon as its parent is gone (IPC disconnect, or a changed parent pid as a fallback).
 */
import { toErrorShape } from '../../core/errors.ts'
import { prewarmGuestWorker } from './guest-pool.ts'
import { type HostContext, makeTmpDir, type Serving } from './host-context.ts'
import { parentChannel } from './parent-channel.ts'
import type { FromHost, HostConfig, ToHost } from './protocol.ts'
import { serveCgi } from './serve-cgi.ts'
import { serveCommand } from './serve-command.ts'
import { serveHttp } from './serve-http.ts'
import { warmUp } from './warm-up.ts'

const PARENT_CHECK_MS = 500

const parentLine = parentChannel()
const send = (m: FromHost) => parentLine.send(m)
const log = (line: string, stream: 'system' | 'stderr' = 'system') =>
  send({ type: 'log', line: { t: Date.now(), stream, line } })

const tmp = makeTmpDir()
let serving: Serving | undefined
let exiting = false

async function exit(code: number): Promise<void> {
  if (exiting) return
  exiting = true
  const force = setTimeout(() => process.exit(code), 2000)
  force.unref()
  try {
    await serving?.stop()
  } catch {
    // leaving anyway
  }
  tmp.remove()
  process.exit(code)
}

async function start(config: HostConfig): Promise<void> {
  // Guests on worker threads (command mode, or more than one at a time): boot the thread now,
  // while the module compiles. One CGI guest at a time runs inline, on this thread.
  if (config.serve === 'command' || (config.serve === 'cgi' && config.workers > 1)) prewarmGuestWorker()
  const ctx: HostContext = {
    config,
    log,
    tmpDir: tmp.dir,
    send: (m) => {
      send(m)
      if (m.type === 'exit') void exit(m.code === 0 ? 0 : 1)
      if (m.type === 'error' && m.fatal) void exit(1)
    },
  }
  const grants = [
    config.dirs.length
      ? `dirs ${config.dirs.map((d) => `${d.host}→${d.guest}${d.writable ? ' (rw)' : ' (ro)'}`).join(', ')}`
      : 'no directories',
    `env ${Object.keys(config.env).join(', ') || 'none'}`,
    config.port ? `port 127.0.0.1:${config.port}` : 'no port',
  ]
  if (config.serve === 'http')
    grants.push(
      config.allowHttp?.length ? `outgoing HTTP to ${config.allowHttp.join(', ')}` : 'no outgoing HTTP',
    )
  log(`sandbox: ${grants.join('; ')}`)
  try {
    serving =
      config.serve === 'command'
        ? await serveCommand(ctx)
        : config.serve === 'cgi'
          ? await serveCgi(ctx)
          : await serveHttp(ctx)
  } catch (err) {
    send({ type: 'error', error: toErrorShape(err), fatal: true })
    await exit(1)
  }
}

// A spare host is warmed before its workload comes; the workload starts once that is done.
let warming: Promise<void> = Promise.resolve()

parentLine.onMessage((m: ToHost) => {
  if (m.type === 'warm') warming = warming.then(() => warmUp(m.hint, tmp.dir)).catch(() => undefined)
  else if (m.type === 'start') void warming.then(() => start(m.config))
  else if (m.type === 'stop') void exit(0)
  else if (m.type === 'stats')
    send({
      type: 'stats',
      guestMemoryBytes: serving?.guestMemoryBytes() ?? 0,
      requests: serving?.requests() ?? 0,
    })
})
parentLine.onGone(() => void exit(0))
process.on('SIGTERM', () => void exit(0))
const parent = process.ppid
setInterval(() => {
  if (process.ppid !== parent) void exit(0)
}, PARENT_CHECK_MS).unref()
