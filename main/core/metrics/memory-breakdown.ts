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

/** Reads /proc/<pid>/status and smaps_rollup (Linux only; undefined elsewhere or once it has exited). */
export function memoryBreakdown(pid: number): MemoryBreakdown | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'latin1')
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1')
    const kb = (text: string, key: string) =>
      Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024
    return {
      rss: kb(status, 'VmRSS'),
      rssFile: kb(status, 'RssFile'),
      rssAnon: kb(status, 'RssAnon'),
      pss: kb(rollup, 'Pss'),
      uss: kb(rollup, 'Private_Clean') + kb(rollup, 'Private_Dirty'),
    }
  } catch {
    return undefined
  }
}
