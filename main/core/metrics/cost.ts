import { readFileSync } from 'node:fs'
import type { CostPart } from '../../../contract/api.ts'
import { procKb } from './memory-breakdown.ts'
import { parseProcStat } from './process-stats.ts'

/** Everything a workload costs at one moment; `at` is performance.now() when it was read. */
export interface CostReading {
  at: number
  parts: CostPart[]
}

const CLOCK_TICKS_PER_SECOND = 100
const PAGE_BYTES = 4096

/** The workload's full memory: the sum of its parts (each already its own share). */
export function totalMemoryBytes(parts: CostPart[]): number {
  return parts.reduce((a, p) => a + p.memoryBytes, 0)
}

const keyOf = (p: CostPart) => `${p.name}#${p.pid ?? ''}`

/**
 * CPU % (of one core, as `docker stats` counts it) between two readings: CPU time every part used
 * over the wall time between them. A part that appeared in between counts from zero.
 */
export function cpuPercentBetween(a: CostReading, b: CostReading): number {
  const seconds = (b.at - a.at) / 1000
  if (seconds <= 0) return Number.NaN
  return (cpuSecondsByPart(a, b).reduce((s, [, v]) => s + v, 0) / seconds) * 100
}

/** CPU seconds each part of `b` used since `a`, by part name. */
export function cpuSecondsByPart(a: CostReading, b: CostReading): [string, number][] {
  const before = new Map(a.parts.map((p) => [keyOf(p), p.cpuSeconds]))
  return b.parts.map((p) => [p.name, Math.max(0, p.cpuSeconds - (before.get(keyOf(p)) ?? 0))])
}

/**
 * One process as a cost part: PSS (RSS where the OS has none) and its CPU time so far, times
 * `share` for a process several workloads share. Undefined once it has exited.
 */
export async function processPart(pid: number, name: string, share = 1): Promise<CostPart | undefined> {
  if (process.platform !== 'linux') {
    const { default: pidusage } = await import('pidusage')
    const u = await pidusage(pid).catch(() => undefined)
    if (!u) return undefined
    return {
      name,
      pid,
      memoryBytes: u.memory * share,
      rssBytes: u.memory,
      cpuSeconds: (u.ctime / 1000) * share,
    }
  }
  try {
    const stat = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'latin1'))
    const rss = stat.rssPages * PAGE_BYTES
    const pss = procKb(readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1'), 'Pss') || undefined
    return {
      name,
      pid,
      memoryBytes: (pss ?? rss) * share,
      rssBytes: rss,
      ...(pss !== undefined && { pssBytes: pss }),
      cpuSeconds: ((stat.utime + stat.stime) / CLOCK_TICKS_PER_SECOND) * share,
      ...(share !== 1 && { share }),
    }
  } catch {
    return undefined
  }
}

/** A sample (the dashboard's shape) from two readings of the full cost. */
export function costSample(prev: CostReading | undefined, now: CostReading) {
  return {
    t: Date.now(),
    cpuPercent: prev ? Math.max(0, cpuPercentBetween(prev, now)) || 0 : 0,
    memoryBytes: totalMemoryBytes(now.parts),
    parts: now.parts,
  }
}
