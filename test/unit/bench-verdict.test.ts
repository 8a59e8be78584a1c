import { describe, expect, it } from 'vitest'
import type { BenchKindResult, BenchMetric, Kind } from '../../contract/api.ts'
import { summarize } from '../../main/core/bench/stats.ts'
import { benchVerdict } from '../../main/core/bench/verdict.ts'

const MiB = 1024 * 1024

function result(kind: Kind, medians: Partial<Record<BenchMetric, number>>, error = false): BenchKindResult {
  return {
    kind,
    workload: `hello-${kind}`,
    metrics: Object.fromEntries(Object.entries(medians).map(([k, v]) => [k, summarize([v, v, v])])),
    runs: [],
    ...(error && { error: { code: 'X', message: 'failed' } }),
  }
}

// Shaped like a real hello-trio run here: Wasm fastest, the container smallest at idle.
const wasm = result('wasm', {
  coldStartMs: 25,
  firstResponseMs: 30,
  idleMemoryBytes: 2.1 * MiB,
  loadMemoryBytes: 3 * MiB,
  requestsPerSecond: 2000,
  artifactBytes: 30_000,
})
const container = result('container', {
  coldStartMs: 220,
  firstResponseMs: 270,
  idleMemoryBytes: 0.9 * MiB,
  loadMemoryBytes: 4 * MiB,
  requestsPerSecond: 1500,
  artifactBytes: 2 * MiB,
})
const vm = result('vm', {
  coldStartMs: 4000,
  firstResponseMs: 4800,
  idleMemoryBytes: 200 * MiB,
  loadMemoryBytes: 210 * MiB,
  requestsPerSecond: 300,
  artifactBytes: 15 * MiB,
})

describe('bench verdict', () => {
  it('ranks each metric with ratios to the best and says where the common claim breaks', () => {
    const v = benchVerdict([container, vm, wasm])
    const first = v.rows.find((r) => r.metric === 'firstResponseMs')!
    expect(first.ranking.map((x) => x.kind)).toEqual(['wasm', 'container', 'vm'])
    expect(first.ranking.map((x) => x.ratioToBest)).toEqual([1, 9, 160])
    const rps = v.rows.find((r) => r.metric === 'requestsPerSecond')!
    expect(rps.higherIsBetter).toBe(true)
    expect(rps.ranking[2]).toMatchObject({ kind: 'vm', ratioToBest: 2000 / 300 })
    const idle = v.rows.find((r) => r.metric === 'idleMemoryBytes')!
    expect(idle.ranking.map((x) => x.kind)).toEqual(['container', 'wasm', 'vm'])
    expect(v.claimHolds).toBe(false)
    expect(v.lines[0]).toBe(
      'Here, Wasm was the most efficient on 5 of 6 metrics; the container beat it on idle memory (921.6 KiB vs 2.1 MiB). The common claim (Wasm most efficient, containers in the middle, VMs least) held on 5 of 6, so not across the board here.',
    )
    expect(v.lines).toContain(
      'first response: Wasm best (30 ms); the container 9.00× more (270 ms), the VM 160× more (4.80 s)',
    )
  })

  it('holds the claim when the order is Wasm, container, VM everywhere', () => {
    const v = benchVerdict([wasm, result('container', { idleMemoryBytes: 3 * MiB, coldStartMs: 220 }), vm])
    expect(v.claimHolds).toBe(true)
    expect(v.lines[0]).toMatch(/most efficient on 6 of 6 metrics\. .*held on 2 of 2\.$/)
  })

  it('leaves out failed kinds and metrics only one kind has', () => {
    const v = benchVerdict([wasm, result('vm', { coldStartMs: 1 }, true), result('container', { stopMs: 5 })])
    expect(v.rows).toEqual([])
    expect(v.lines).toEqual([])
    expect(v.claimHolds).toBeUndefined()
  })
})
