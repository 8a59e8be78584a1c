import { cpus, freemem, totalmem } from 'node:os'

/** Busy and total CPU time summed over every core, from the kernel's tick counters (ms). */
export interface CpuCounters {
  busy: number
  total: number
}

export function cpuCounters(
  cores: { times: { user: number; nice: number; sys: number; irq: number; idle: number } }[] = cpus(),
): CpuCounters {
  let busy = 0
  let total = 0
  for (const { times: t } of cores) {
    busy += t.user + t.nice + t.sys + t.irq
    total += t.user + t.nice + t.sys + t.irq + t.idle
  }
  return { busy, total }
}

/**
 * Whole-host CPU % between two counter readings. Counters that went backwards or did not move
 * (a core taken offline, two reads inside one tick) give 0, never a negative or >100 value.
 */
export function busyPercent(before: CpuCounters, after: CpuCounters): number {
  const busy = after.busy - before.busy
  const total = after.total - before.total
  if (total <= 0 || busy <= 0) return 0
  return Math.min(100, (busy / total) * 100)
}

/** CPU % of one core used by a process: CPU time spent (µs, user + system) over wall time elapsed (ms). */
export function cpuPercentOfOneCore(
  before: NodeJS.CpuUsage,
  after: NodeJS.CpuUsage,
  elapsedMs: number,
): number {
  if (elapsedMs <= 0) return 0
  const usedMicros = after.user - before.user + (after.system - before.system)
  return Math.max(0, usedMicros / 1000 / elapsedMs) * 100
}

/** Whole-host CPU % between two calls. */
export class HostCpu {
  private last = cpuCounters()

  percent(): number {
    const now = cpuCounters()
    const p = busyPercent(this.last, now)
    this.last = now
    return p
  }
}

export function hostMemory(): { memoryUsedBytes: number; memoryTotalBytes: number } {
  const total = totalmem()
  return { memoryUsedBytes: total - freemem(), memoryTotalBytes: total }
}

/** CPU % of one core used by this process between two calls: the sampler measures its own cost. */
export class SelfCpu {
  private lastUsage = process.cpuUsage()
  private lastTime = performance.now()

  percent(): number {
    const usage = process.cpuUsage()
    const now = performance.now()
    const p = cpuPercentOfOneCore(this.lastUsage, usage, now - this.lastTime)
    this.lastUsage = usage
    this.lastTime = now
    return p
  }
}
