import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  cpuPercent,
  memoryBytes,
  netBytes,
  type StatsJson,
  toSample,
} from '../../../main/runtimes/container/stats-math.ts'

// Real readings from Docker 20.10 on cgroup v1 (see test/fixtures/container/README.md).
const fixture = (name: string) =>
  JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/container', name), 'utf8')) as StatsJson[]
const underLoad = fixture('stats-v1-httpd-under-load.json')
const pageCache = fixture('stats-v1-page-cache.json')

describe('docker stats math on real engine output', () => {
  it('CPU % = cpu delta / system delta × online CPUs × 100', () => {
    // (311641832 − 243185525) / (5681340000000 − 5679420000000) × 2 × 100
    expect(cpuPercent(underLoad[1]!)).toBeCloseTo(7.1309, 3)
    expect(cpuPercent(underLoad[0]!)).toBeCloseTo(9.732, 3)
  })

  it('memory = usage − total_inactive_file on cgroup v1', () => {
    const s = pageCache[1]!
    expect(s.memory_stats!.stats!.total_inactive_file).toBe(25165824)
    expect(memoryBytes(s)).toBe(26771456 - 25165824)
    // No page cache: usage as is.
    expect(memoryBytes(underLoad[1]!)).toBe(700416)
  })

  it('sums network bytes over every interface', () => {
    expect(netBytes(underLoad[1]!)).toEqual({ rx: 97378, tx: 101242 })
  })

  it('gives 0 % CPU for the first reading, which has no previous one', () => {
    const first: StatsJson = {
      ...underLoad[1]!,
      precpu_stats: { cpu_usage: { total_usage: 0 }, system_cpu_usage: 0 },
    }
    expect(cpuPercent(first)).toBe(0)
  })

  it('uses inactive_file on cgroup v2 (hand-made reading: this machine runs cgroup v1)', () => {
    expect(
      memoryBytes({
        memory_stats: { usage: 10_000_000, stats: { inactive_file: 4_000_000, active_file: 1 } },
      }),
    ).toBe(6_000_000)
  })

  it('stamps the sample with the engine read time', () => {
    const s = toSample(underLoad[1]!, 64 * 1024 * 1024)
    expect(s.t).toBe(Date.parse('2026-11-24T16:31:54.913041253Z'))
    expect(s.guestMemoryBytes).toBe(64 * 1024 * 1024)
  })
})
