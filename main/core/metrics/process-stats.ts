import { readFile } from 'node:fs/promises'
import pidusage from 'pidusage'

export interface ProcessStats {
  cpuPercent: number
  rssBytes: number
  /** Proportional set size, where the OS gives it (Linux): shared pages split between sharers. */
  pssBytes?: number
}

/** CPU % (since the previous call for this pid) and memory of one OS process, on every platform. */
export async function processStats(pid: number): Promise<ProcessStats> {
  const usage = await pidusage(pid)
  const stats: ProcessStats = { cpuPercent: usage.cpu, rssBytes: usage.memory }
  const pss = await linuxPss(pid)
  if (pss !== undefined) stats.pssBytes = pss
  return stats
}

async function linuxPss(pid: number): Promise<number | undefined> {
  if (process.platform !== 'linux') return undefined
  try {
    const text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8')
    const m = /^Pss:\s+(\d+) kB/m.exec(text)
    return m ? Number(m[1]) * 1024 : undefined
  } catch {
    return undefined
  }
}
