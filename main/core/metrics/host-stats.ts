import { cpus, freemem, totalmem } from 'node:os'

/** Whole-host CPU % between two calls, from the kernel's per-core tick counters. */
export class HostCpu {
  private last = snapshot()

  percent(): number {
    const now = snapshot()
    const busy = now.busy - this.last.busy
    const total = now.total - this.last.total
    this.last = now
    return total > 0 ? (busy / total) * 100 : 0
  }
}

function snapshot(): { busy: number; total: number } {
  let busy = 0
  let total = 0
  for (const c of cpus()) {
    const t = c.times
    busy += t.user + t.nice + t.sys + t.irq
    total += t.user + t.nice + t.sys + t.irq + t.idle
  }
  return { busy, total }
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
    const usage = process.cpuUsage(this.lastUsage)
    const now = performance.now()
    const elapsedMs = now - this.lastTime
    this.lastUsage = process.cpuUsage()
    this.lastTime = now
    return elapsedMs > 0 ? ((usage.user + usage.system) / 1000 / elapsedMs) * 100 : 0
  }
}
