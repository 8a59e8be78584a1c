/**
 * One workload's cost in a host process it may share: its own guests (linear memory, CPU time
 * measured around each run) plus an even share of what the host costs beyond its guests (Node,
 * V8, the listeners). With a host of its own, that is the whole process.
 */
import type { CostPart, Sample } from '../../../contract/api.ts'
import type { ProcessStats } from '../../core/metrics/process-stats.ts'
import type { WorkloadStats } from './host/protocol.ts'

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

/**
 * The same split as a cost (the bench's parts): its instances' linear memory with the CPU time
 * spent in them, and an even share of `whole` (the host process, read now) beyond every guest.
 */
export function shareParts(r: HostReading, id: string, whole: CostPart, members: number): CostPart[] {
  const mine = r.workloads[id]
  const guests = Object.values(r.workloads)
  const guestBytes = guests.reduce((a, w) => a + w.guestMemoryBytes, 0)
  const guestSeconds = totalGuestCpuMs(r.workloads) / 1000
  const share = 1 / Math.max(1, members)
  return [
    {
      ...whole,
      name: members > 1 ? `wasm host (1/${members} share)` : 'wasm host',
      memoryBytes: Math.max(0, whole.memoryBytes - guestBytes) * share,
      cpuSeconds: Math.max(0, whole.cpuSeconds - guestSeconds) * share,
      ...(members > 1 && { share }),
    },
    {
      name: 'linear memory',
      memoryBytes: mine?.guestMemoryBytes ?? 0,
      cpuSeconds: (mine?.guestCpuMs ?? 0) / 1000,
    },
  ]
}
