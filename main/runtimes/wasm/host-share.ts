/**
 * One workload's cost in a host process it may share: its own guests (linear memory, CPU time
 * measured around each run) plus an even share of what the host costs beyond its guests (Node,
 * V8, the listeners). With a host of its own, that is the whole process.
 */
import type { Sample } from '../../../preload/api.ts'
import type { ProcessStats } from '../../core/metrics/process-stats.ts'
import type { WorkloadStats } from './protocol.ts'

export interface HostReading {
  pid: number
  /** performance.now() of the reading. */
  at: number
  process: ProcessStats
  workloads: Record<string, WorkloadStats>
  /** CPU % of the host spent outside every guest since the previous reading. */
  overheadCpuPercent: number
}

/** CPU % of the host outside its guests: the process's CPU less its guests' over the same interval. */
export function overheadCpu(
  processCpuPercent: number,
  guestCpuMs: number,
  previous: { at: number; guestCpuMs: number } | undefined,
  at: number,
): number {
  if (!previous || at <= previous.at) return processCpuPercent
  const guests = ((guestCpuMs - previous.guestCpuMs) / (at - previous.at)) * 100
  return Math.max(0, processCpuPercent - guests)
}

export function totalGuestCpuMs(workloads: Record<string, WorkloadStats>): number {
  return Object.values(workloads).reduce((sum, w) => sum + w.guestCpuMs, 0)
}

export function shareSample(r: HostReading, id: string, guestCpuPercent: number, members: number): Sample {
  const mine = r.workloads[id] ?? { guestMemoryBytes: 0, peakInstanceBytes: 0, requests: 0, guestCpuMs: 0 }
  const n = Math.max(1, members)
  const guests = Object.values(r.workloads).reduce((sum, w) => sum + w.guestMemoryBytes, 0)
  const beyond = (bytes: number) => Math.max(0, bytes - guests) / n
  const shareBytes = beyond(r.process.pssBytes ?? r.process.rssBytes)
  const sample: Sample = {
    t: Date.now(),
    cpuPercent: guestCpuPercent + r.overheadCpuPercent / n,
    memoryBytes: mine.guestMemoryBytes + beyond(r.process.rssBytes),
    guestMemoryBytes: mine.guestMemoryBytes,
    guestPeakBytes: mine.peakInstanceBytes,
    guestCpuPercent,
    host: { pid: r.pid, workloads: n, rssBytes: r.process.rssBytes, shareBytes },
  }
  if (r.process.pssBytes !== undefined) {
    sample.pssBytes = mine.guestMemoryBytes + shareBytes
    sample.host!.pssBytes = r.process.pssBytes
  }
  return sample
}
