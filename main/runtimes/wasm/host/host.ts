/**
 * Entry of a Wasm host process, started by spawn-host.ts. It serves the workloads it is sent:
 * one that has the process to itself (isolation: process), or many of one world side by side,
 * each isolated by the Wasm sandbox (its own compiled-module instance per run, WASI context,
 * limits, port). It answers `stats` for all of them at once, and exits on a whole-host `stop`,
 * when its own workload ends, or by itself as soon as its parent is gone (IPC disconnect, or a
 * changed parent pid as a fallback).
 */
import { toErrorShape } from '../../../core/errors.ts'
import { epochNow, type StartMark } from '../../../core/start-timeline.ts'
import { prewarmGuestWorker } from './guest-pool.ts'
import { type HostContext, makeTmpDir, type Serving } from './host-context.ts'
import { parentChannel } from './parent-channel.ts'
import type { FromHost, HostConfig, ToHost, WorkloadStats } from './protocol.ts'
import { serveCgi } from './serve-cgi.ts'
import { serveCommand } from './serve-command.ts'
import { serveHttp } from './serve-http.ts'
import { warmUp } from './warm-up.ts'

const PARENT_CHECK_MS = 500

const parentLine = parentChannel()
const send = (m: FromHost) => parentLine.send(m)

const tmp = makeTmpDir()
/** The workloads being served, by id; a pending start holds its place with a promise. */
const workloads = new Map<string, { own: boolean; serving: Promise<Serving | undefined> }>()
let exiting = false

async function exit(code: number): Promise<void> {
  if (exiting) return
  exiting = true
  const force = setTimeout(() => process.exit(code), 2000)
  force.unref()
  await Promise.all([...workloads.keys()].map((id) => end(id)))
  tmp.remove()
  process.exit(code)
}

/** Stops one workload; the others of this host go on. */
async function end(id: string): Promise<void> {
  const w = workloads.get(id)
  if (!w) return
  workloads.delete(id)
  try {
    await (await w.serving)?.stop()
  } catch {
    // leaving anyway
  }
  send({ type: 'stopped', id })
}

/** A workload's own end (its command exited, or it failed): the host ends too if it was its own. */
function ended(id: string, code: number): void {
  const own = workloads.get(id)?.own
  void end(id).then(() => {
    if (own) void exit(code)
  })
}

async function start(id: string, config: HostConfig, own: boolean): Promise<Serving | undefined> {
  // Guests on worker threads (command mode, or more than one at a time): boot the thread now,
  // while the module compiles. One CGI guest at a time runs inline, on this thread, until a host
  // is shared by two workloads (see guest-pool-for.ts).
  if (config.serve === 'command' || (config.serve === 'cgi' && config.workers > 1)) prewarmGuestWorker()
  const log = (line: string, stream: 'system' | 'stderr' = 'system') =>
    send({ type: 'log', id, line: { t: Date.now(), stream, line } })
  const marks: StartMark[] = [{ phase: 'host ready', at: epochNow() }]
  const ctx: HostContext = {
    config,
    log,
    tmpDir: tmp.dir,
    shared: !own,
    mark: (phase) => marks.push({ phase, at: epochNow() }),
    send: (m) => {
      if (m.type === 'ready') ctx.mark('instantiate')
      send(m.type === 'ready' ? { ...m, id, marks } : { ...m, id })
      if (m.type === 'exit') ended(id, m.code === 0 ? 0 : 1)
      if (m.type === 'error' && m.fatal) ended(id, 1)
    },
  }
  const grants = [
    config.dirs.length
      ? `dirs ${config.dirs.map((d) => `${d.host}→${d.guest}${d.writable ? ' (rw)' : ' (ro)'}`).join(', ')}`
      : 'no directories',
    `env ${Object.keys(config.env).join(', ') || 'none'}`,
    config.port === undefined ? 'no port' : `port 127.0.0.1:${config.port || 'any free one'}`,
  ]
  if (config.serve === 'http')
    grants.push(
      config.allowHttp?.length ? `outgoing HTTP to ${config.allowHttp.join(', ')}` : 'no outgoing HTTP',
    )
  log(`sandbox: ${grants.join('; ')}${own ? '' : `; host process ${process.pid} shared with its world`}`)
  try {
    return config.serve === 'command'
      ? await serveCommand(ctx)
      : config.serve === 'cgi'
        ? await serveCgi(ctx)
        : await serveHttp(ctx)
  } catch (err) {
    ctx.send({ type: 'error', error: toErrorShape(err), fatal: true })
    return undefined
  }
}

async function stats(): Promise<Record<string, WorkloadStats>> {
  const out: Record<string, WorkloadStats> = {}
  for (const [id, w] of workloads) {
    const serving = await w.serving
    if (serving) out[id] = serving.stats()
  }
  return out
}

// A spare host is warmed before its workload comes; the workload starts once that is done.
let warming: Promise<void> = Promise.resolve()

parentLine.onMessage((m: ToHost) => {
  if (m.type === 'warm') warming = warming.then(() => warmUp(m.hint, tmp.dir)).catch(() => undefined)
  else if (m.type === 'start')
    workloads.set(m.id, { own: m.own, serving: warming.then(() => start(m.id, m.config, m.own)) })
  else if (m.type === 'stop') void (m.id === undefined ? exit(0) : end(m.id))
  else if (m.type === 'stats') void stats().then((workloads) => send({ type: 'stats', workloads }))
})
parentLine.onGone(() => void exit(0))
process.on('SIGTERM', () => void exit(0))
const parent = process.ppid
setInterval(() => {
  if (process.ppid !== parent) void exit(0)
}, PARENT_CHECK_MS).unref()
