import { describe, expect, it } from 'vitest'
import { type HostReading, overheadCpu, shareSample } from '../../main/runtimes/wasm/host-share.ts'

const MiB = 2 ** 20
const idle = { guestMemoryBytes: 0, peakInstanceBytes: 0, requests: 0, guestCpuMs: 0 }

function reading(workloads: HostReading['workloads'], overheadCpuPercent = 0): HostReading {
  return {
    pid: 42,
    at: 1000,
    process: { cpuPercent: 10, cpuSeconds: 1, rssBytes: 80 * MiB, pssBytes: 40 * MiB },
    workloads,
    overheadCpuPercent,
  }
}

describe('a workload’s share of its Wasm host', () => {
  it('is its own linear memory plus an even share of the host beyond its guests', () => {
    const r = reading({ a: { ...idle, guestMemoryBytes: 8 * MiB, peakInstanceBytes: 8 * MiB }, b: idle })
    const a = shareSample(r, 'a', 0, 2)
    const b = shareSample(r, 'b', 0, 2)
    expect(a.host).toEqual({
      pid: 42,
      workloads: 2,
      rssBytes: 80 * MiB,
      pssBytes: 40 * MiB,
      shareBytes: 16 * MiB,
    })
    expect(b.host!.shareBytes).toBe(16 * MiB)
    expect(a.pssBytes).toBe(24 * MiB)
    expect(b.pssBytes).toBe(16 * MiB)
    expect(a.memoryBytes).toBe(8 * MiB + 36 * MiB)
    expect(a.guestPeakBytes).toBe(8 * MiB)
    expect(b.guestMemoryBytes).toBe(0)
  })

  it('is the whole process for a host of its own', () => {
    const s = shareSample(reading({ a: idle }, 10), 'a', 0, 1)
    expect(s.pssBytes).toBe(40 * MiB)
    expect(s.memoryBytes).toBe(80 * MiB)
    expect(s.cpuPercent).toBe(10)
  })

  it('splits the CPU the host spent outside its guests, and adds the workload’s own guest CPU', () => {
    expect(overheadCpu(50, 1300, { at: 0, guestCpuMs: 1000 }, 1000)).toBe(20)
    expect(overheadCpu(10, 2000, { at: 0, guestCpuMs: 1000 }, 1000)).toBe(0)
    expect(overheadCpu(10, 0, undefined, 1000)).toBe(10)
    const s = shareSample(reading({ a: idle, b: idle, c: idle, d: idle }, 20), 'a', 30, 4)
    expect(s.cpuPercent).toBe(35)
    expect(s.guestCpuPercent).toBe(30)
  })
})
