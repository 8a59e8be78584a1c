import { spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { WorldbenchError } from '../../core/errors.ts'
import { currentOwner, type OwnerRecord } from '../../core/owner-lock.ts'
import { projectRoot, stateDir } from '../../core/paths.ts'
import { isProcessAlive } from '../../core/process-alive.ts'
import { sleep } from '../../core/readiness.ts'
import { startOwner } from '../../owner.ts'
import { connectControlSocket, controlSocketPath } from '../../transport/control-socket.ts'
import { printJson, untilInterrupted } from '../output.ts'

const START_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 120_000

/** `service run`: the service in this terminal, without the web UI (what `service start` runs detached). */
export async function serviceRunCommand(): Promise<number> {
  const owner = await startOwner('service', { restoreWorlds: true })
  process.stderr.write(`Worldbench service ${process.pid} listening on ${controlSocketPath()}\n`)
  await untilInterrupted()
  process.stderr.write('Stopping: every workload this service runs is stopped…\n')
  await owner.close({ stopAll: true })
  return 0
}

/** Starts the service in the background unless one runs; resolves once it answers. */
export async function ensureBackgroundService(): Promise<{ pid: number; started: boolean }> {
  const existing = await connectControlSocket()
  if (existing) {
    existing.close()
    return { pid: currentOwner()?.pid ?? 0, started: false }
  }
  const logFile = join(stateDir(), 'service.log')
  const out = openSync(logFile, 'a', 0o600)
  const env = { ...process.env }
  // The background service must outlive this command and its launcher.
  delete env.WORLDBENCH_PARENT_PIPE
  const child = spawn(process.execPath, [join(projectRoot(), 'bin', 'worldbench.mjs'), 'service', 'run'], {
    detached: true,
    stdio: ['ignore', out, out],
    env,
  })
  closeSync(out)
  child.unref()
  let exited: number | null | undefined
  child.once('exit', (code) => (exited = code))
  const deadline = Date.now() + START_TIMEOUT_MS
  while (Date.now() < deadline) {
    const conn = await connectControlSocket()
    if (conn) {
      conn.close()
      return { pid: currentOwner()?.pid ?? child.pid ?? 0, started: true }
    }
    if (exited !== undefined) {
      // Another front may have become the owner meanwhile: that one serves just as well.
      if (currentOwner()) continue
      throw new WorldbenchError(
        'SERVICE_START_FAILED',
        `The background service exited with code ${exited} before it answered.`,
        `Its log: ${logFile}\n${lastLines(logFile, 10)}`,
      )
    }
    await sleep(100)
  }
  throw new WorldbenchError(
    'SERVICE_START_FAILED',
    `The background service did not answer within ${START_TIMEOUT_MS / 1000}s.`,
    `See its log: ${logFile}`,
  )
}

export async function serviceStartCommand(opts: { json?: boolean }): Promise<number> {
  const { pid, started } = await ensureBackgroundService()
  if (opts.json) printJson({ pid, started, controlSocket: controlSocketPath() })
  else
    process.stdout.write(
      started
        ? `Started the Worldbench service (pid ${pid}).\n`
        : `The Worldbench service already runs (pid ${pid}).\n`,
    )
  return 0
}

/** Stops whichever process owns the state dir (background service, `serve`, a foreground `up`). */
export async function serviceStopCommand(): Promise<number> {
  const owner = currentOwner()
  if (!owner) {
    process.stdout.write('No Worldbench service is running.\n')
    return 0
  }
  process.kill(owner.pid, 'SIGTERM')
  const deadline = Date.now() + STOP_TIMEOUT_MS
  while (isProcessAlive(owner.pid)) {
    if (Date.now() > deadline)
      throw new WorldbenchError(
        'SERVICE_STOP_TIMEOUT',
        `The Worldbench service (pid ${owner.pid}) is still stopping its workloads after ${STOP_TIMEOUT_MS / 1000}s.`,
        `Wait, or end it with "kill -9 ${owner.pid}" (its VMs and containers are then adopted by the next service).`,
      )
    await sleep(100)
  }
  process.stdout.write(`Stopped the Worldbench service (pid ${owner.pid}).\n`)
  return 0
}

/** Exit code 0 when a service runs, 3 when none does (as `systemctl status`). */
export async function serviceStatusCommand(opts: { json?: boolean }): Promise<number> {
  const owner: OwnerRecord | undefined = currentOwner()
  if (opts.json)
    printJson(owner ? { running: true, ...owner, controlSocket: controlSocketPath() } : { running: false })
  else if (owner)
    process.stdout.write(
      `running: pid ${owner.pid} ("${owner.role}") since ${new Date(owner.since).toISOString()}, control socket ${controlSocketPath()}\n`,
    )
  else process.stdout.write('not running\n')
  return owner ? 0 : 3
}

function lastLines(file: string, n: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n')
  } catch {
    // No log yet (the service died before writing one): the hint still names the file.
    return ''
  }
}
