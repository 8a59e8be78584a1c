import { readFileSync } from 'node:fs'

/** One process's memory, in bytes, as Linux accounts it. */
export interface MemoryBreakdown {
  rss: number
  /** Resident pages of files (the executable and libraries): shared with every process mapping them. */
  rssFile: number
  rssAnon: number
  /** Proportional set size: shared pages split between the processes sharing them. */
  pss: number
  /** Unique set size: what would be freed if the process exited. */
  uss: number
}

/** One "Key:   123 kB" field of a /proc file, in bytes (0 when absent). */
export function procKb(text: string, key: string): number {
  return Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024
}

/** Reads /proc/<pid>/status and smaps_rollup (Linux only; undefined elsewhere or once it has exited). */
export function memoryBreakdown(pid: number): MemoryBreakdown | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'latin1')
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1')
    return {
      rss: procKb(status, 'VmRSS'),
      rssFile: procKb(status, 'RssFile'),
      rssAnon: procKb(status, 'RssAnon'),
      pss: procKb(rollup, 'Pss'),
      uss: procKb(rollup, 'Private_Clean') + procKb(rollup, 'Private_Dirty'),
    }
  } catch {
    return undefined
  }
}
