import { readFileSync } from 'node:fs'
import { WorldbenchError } from '../errors.ts'
import { procKb } from './memory-breakdown.ts'

export interface ProcessStats {
  cpuPercent: number
  rssBytes: number
  /** Proportional set size, where the OS gives it (Linux): shared pages split between sharers. */
  pssBytes?: number
  /** CPU time used so far (user + system), seconds. */
  cpuSeconds: number
}

/** CPU % (since the previous call for this pid) and memory of one OS process, on every platform. */
export async function processStats(pid: number): Promise<ProcessStats> {
  if (process.platform === 'linux') return linuxStats(pid)
  // Loaded only off Linux: on Linux, /proc is read directly (below).
  const { default: pidusage } = await import('pidusage')
  const usage = await pidusage(pid)
  return { cpuPercent: usage.cpu, rssBytes: usage.memory, cpuSeconds: usage.ctime / 1000 }
}

// Linux: read /proc directly. Measured on 100 processes per tick: pidusage ~16 ms of CPU and
// async reads of smaps_rollup ~12 ms; these synchronous reads of small kernel files ~6 ms, which
// is what keeps a 1 Hz sampler of a hundred instances under 2% of a core.
const CLOCK_TICKS_PER_SECOND = 100
const PAGE_BYTES = 4096
const previous = new Map<number, { cpuSeconds: number; at: number }>()

export function linuxStats(pid: number): ProcessStats {
  let stat: string
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1')
  } catch {
    previous.delete(pid)
    pssCache.delete(pid)
    throw new WorldbenchError('NO_SUCH_PROCESS', `Process ${pid} is not running.`, 'It exited; see its logs.')
  }
  const fields = parseProcStat(stat)
  const cpuSeconds = (fields.utime + fields.stime) / CLOCK_TICKS_PER_SECOND
  const now = performance.now()
  const last = previous.get(pid)
  previous.set(pid, { cpuSeconds, at: now })
  const cpuPercent =
    last && now > last.at ? Math.max(0, ((cpuSeconds - last.cpuSeconds) / ((now - last.at) / 1000)) * 100) : 0
  const stats: ProcessStats = { cpuPercent, rssBytes: fields.rssPages * PAGE_BYTES, cpuSeconds }
  const pss = readPss(pid)
  if (pss !== undefined) stats.pssBytes = pss
  return stats
}

/** utime, stime (clock ticks) and rss (pages) from /proc/<pid>/stat; the command name may hold spaces and parens. */
export function parseProcStat(text: string): { utime: number; stime: number; rssPages: number } {
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ')
  // rest[0] is field 3 (state): utime is field 14, stime 15, rss 24.
  return { utime: Number(rest[11]), stime: Number(rest[12]), rssPages: Number(rest[21]) }
}

// smaps_rollup makes the kernel walk every mapping: the costliest read here, so PSS, which moves
// slowly, is refreshed every few seconds rather than every tick.
const PSS_REFRESH_MS = 5000
const pssCache = new Map<number, { bytes: number | undefined; at: number }>()

function readPss(pid: number): number | undefined {
  const cached = pssCache.get(pid)
  const now = performance.now()
  if (cached && now - cached.at < PSS_REFRESH_MS) return cached.bytes
  let bytes: number | undefined
  try {
    bytes = procKb(readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1'), 'Pss') || undefined
  } catch {
    bytes = undefined
  }
  pssCache.set(pid, { bytes, at: now })
  return bytes
}

/** One process as the only part of a sample: counted at PSS where the OS gives it, else RSS. */
export function processSamplePart(pid: number, name: string, stats: ProcessStats) {
  return {
    name,
    pid,
    memoryBytes: stats.pssBytes ?? stats.rssBytes,
    rssBytes: stats.rssBytes,
    ...(stats.pssBytes !== undefined && { pssBytes: stats.pssBytes }),
    cpuSeconds: stats.cpuSeconds,
  }
}
