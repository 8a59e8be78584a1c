import { describe, expect, it } from 'vitest'
import { BuildTracker } from '../../../main/runtimes/container/build-progress.ts'
import { fromLibpod, inactiveFileReader } from '../../../main/runtimes/container/podman-stats.ts'
import { toSample } from '../../../main/runtimes/container/stats-math.ts'

describe('Podman stats in Docker shape', () => {
  const reading = (cpuNs: number, wallNs: number) => ({
    CPUNano: cpuNs,
    SystemNano: wallNs,
    MemUsage: 30_000_000,
    MemLimit: 64 << 20,
    NetInput: 1000,
    NetOutput: 2000,
  })

  it('CPU % from deltas of CPU time over wall time (100% = one core), memory minus inactive file', () => {
    const first = fromLibpod(reading(1e9, 10e9), undefined, 25_000_000)
    expect(toSample(first).cpuPercent).toBe(0)
    const second = fromLibpod(reading(1.5e9, 11e9), first.cpu_stats, 25_000_000)
    const s = toSample(second)
    expect(s.cpuPercent).toBeCloseTo(50)
    expect(s.memoryBytes).toBe(5_000_000)
    expect(s.netRxBytes).toBe(1000)
    expect(s.netTxBytes).toBe(2000)
    expect(s.t).toBe(11_000)
  })

  it('without a readable cgroup, memory stays as Podman reports it', () => {
    expect(toSample(fromLibpod(reading(1, 1), undefined, undefined)).memoryBytes).toBe(30_000_000)
    expect(inactiveFileReader(undefined)()).toBeUndefined()
    expect(inactiveFileReader('/no/such/cgroup')()).toBeUndefined()
  })

  it('counts Buildah "STEP n/m:" lines as build steps', () => {
    const t = new BuildTracker()
    expect(t.feed({ stream: 'STEP 2/4: COPY rootfs/ /\n' })).toMatchObject({ percent: 25 })
    expect(t.step).toBe('STEP 2/4: COPY rootfs/ /')
  })
})
