import { linkSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isErrnoCode, WorldbenchError } from './errors.ts'
import { stateDir } from './paths.ts'
import { isProcessAlive, processStartTime } from './process-alive.ts'

/** Who owns the state dir: the one process running the Supervisor and the control socket. */
export interface OwnerRecord {
  pid: number
  /** The process's start time, so a pid reused by another process is not taken for the owner. */
  startTime?: string
  /** What runs the service: "serve", "up hello-trio", "desktop", … */
  role: string
  since: number
}

export interface OwnerLock {
  readonly path: string
  release(): void
}

export function ownerLockPath(): string {
  return join(stateDir(), 'owner.lock')
}

/**
 * The owner lock is a pid file created atomically (written in full under a private name, then
 * hard-linked into place, which fails if one exists) and judged by liveness: a holder killed with
 * -9 leaves a file whose pid is dead (or reused, told apart by start time), which the next owner
 * takes over. The control socket is the second half of the lock: only the holder listens on it.
 * A kernel lock (flock) would free itself too, but Node has no API for one.
 */
export function acquireOwnerLock(role: string, path = ownerLockPath()): OwnerLock {
  const me: OwnerRecord = { pid: process.pid, role, since: Date.now() }
  const startTime = processStartTime(process.pid)
  if (startTime) me.startTime = startTime
  const mine = `${path}.${process.pid}`
  writeFileSync(mine, `${JSON.stringify(me)}\n`, { mode: 0o600 })
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(mine, path)
        return { path, release: () => releaseIfMine(path) }
      } catch (err) {
        if (!isErrnoCode(err, 'EEXIST')) throw err
      }
      const holder = readOwnerRecord(path)
      if (holder && isOwnerAlive(holder)) throw alreadyRunning(holder)
      if (!holder && Date.now() - (mtimeOf(path) ?? 0) < 2000) throw alreadyRunning(undefined)
      takeOverStale(path)
    }
    throw alreadyRunning(readOwnerRecord(path))
  } finally {
    rmSync(mine, { force: true })
  }
}

/**
 * Moves a dead owner's file aside. Two contenders may both have judged it dead and the other may
 * already hold a fresh lock by now: what was moved is checked again and a live lock put back.
 */
function takeOverStale(path: string): void {
  const aside = `${path}.stale.${process.pid}`
  try {
    renameSync(path, aside)
  } catch (err) {
    if (isErrnoCode(err, 'ENOENT')) return
    throw err
  }
  const moved = readOwnerRecord(aside)
  try {
    if (moved && isOwnerAlive(moved)) {
      try {
        linkSync(aside, path)
      } catch {
        // Someone else is in place already; either way this contender lost.
      }
      throw alreadyRunning(moved)
    }
  } finally {
    rmSync(aside, { force: true })
  }
}

/** The live owner of the state dir, if there is one. */
export function currentOwner(path = ownerLockPath()): OwnerRecord | undefined {
  const holder = readOwnerRecord(path)
  return holder && isOwnerAlive(holder) ? holder : undefined
}

function isOwnerAlive(r: OwnerRecord): boolean {
  if (!isProcessAlive(r.pid)) return false
  const now = processStartTime(r.pid)
  return r.startTime === undefined || now === undefined || now === r.startTime
}

function readOwnerRecord(path: string): OwnerRecord | undefined {
  try {
    const r = JSON.parse(readFileSync(path, 'utf8')) as OwnerRecord
    return typeof r.pid === 'number' ? r : undefined
  } catch {
    return undefined
  }
}

function mtimeOf(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs
  } catch {
    return undefined
  }
}

function releaseIfMine(path: string): void {
  if (readOwnerRecord(path)?.pid === process.pid) rmSync(path, { force: true })
}

export function alreadyRunning(holder: OwnerRecord | undefined): WorldbenchError {
  const who = holder
    ? `pid ${holder.pid}, "${holder.role}", since ${new Date(holder.since).toLocaleTimeString()}`
    : 'just starting'
  return new WorldbenchError(
    'ALREADY_RUNNING',
    `Another Worldbench service (${who}) already owns the state dir ${stateDir()}.`,
    'Only one service runs per state dir; every other command talks to it (worldbench ps, up, down, logs). Stop it with Ctrl-C in its terminal or "worldbench service stop", or use another WORLDBENCH_HOME.',
    holder ? { pid: holder.pid, role: holder.role } : {},
  )
}
