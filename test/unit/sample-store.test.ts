import { describe, expect, it } from 'vitest'
import type { Sample, SamplesTick } from '../../contract/api.ts'
import { HISTORY_POINTS, SampleStore, SPARKLINE_POINTS } from '../../renderer/lib/sample-store.ts'

const sample = (t: number, cpu: number, mem: number): Sample => ({ t, cpuPercent: cpu, memoryBytes: mem })
const tick = (t: number, instances: Record<string, Sample>): SamplesTick => ({
  t,
  host: { cpuPercent: 1, memoryUsedBytes: 1, memoryTotalBytes: 2 },
  samplerCpuPercent: 0.1,
  instances,
})

describe('the renderer sample store', () => {
  it('notifies only the subscribers of the sampled instance, and bumps its series version', () => {
    const store = new SampleStore()
    const seen: string[] = []
    store.subscribe('a', () => seen.push('a'))
    store.subscribe('b', () => seen.push('b'))
    const cpuA = store.seriesOf('a', 'cpu')
    expect(cpuA.version()).toBe(0)
    store.push(tick(1000, { a: sample(1000, 5, 100) }))
    expect(seen).toEqual(['a'])
    expect(cpuA.version()).toBe(1)
    expect(cpuA.get()).toEqual([[1], [5]])
    expect(store.last('a')?.memoryBytes).toBe(100)
    expect(store.last('b')).toBeUndefined()
    expect(store.seriesOf('a', 'cpu')).toBe(cpuA)
  })

  it('keeps the last minute of points for a sparkline, oldest dropped', () => {
    const store = new SampleStore()
    for (let i = 0; i < 150; i++) store.push(tick(i * 1000, { a: sample(i * 1000, i, i) }))
    const [times, mem] = store.seriesOf('a', 'memory').get()
    expect(SPARKLINE_POINTS).toBe(60)
    expect(mem).toHaveLength(60)
    expect(mem[0]).toBe(90)
    expect(times.at(-1)).toBe(149)
  })

  it('keeps one history per instance for the charts too: the last 15 minutes, oldest dropped', () => {
    const store = new SampleStore()
    for (let i = 0; i < 1000; i++) store.push(tick(i * 1000, { a: sample(i * 1000, i, i) }))
    const all = store.samples('a')
    expect(HISTORY_POINTS).toBe(900)
    expect(all).toHaveLength(900)
    expect(all[0]!.t).toBe(100_000)
    expect(store.last('a')?.t).toBe(999_000)
    // The sparkline reads the same history: its last minute.
    expect(store.seriesOf('a', 'cpu').get()[1]).toEqual(Array.from({ length: 60 }, (_, n) => 940 + n))
  })

  it("fills in the service's older history by time, without doubling what it already has", () => {
    const store = new SampleStore()
    store.push(tick(5000, { a: sample(5000, 5, 5) }))
    store.push(tick(6000, { a: sample(6000, 6, 6) }))
    const seen: number[] = []
    store.subscribe('a', () => seen.push(store.version('a')))
    store.seed('a', [sample(3000, 3, 3), sample(4000, 4, 4), sample(5000, 5, 5)])
    expect(store.samples('a').map((s) => s.t)).toEqual([3000, 4000, 5000, 6000])
    expect(seen).toEqual([3])
    expect(store.last('a')?.t).toBe(6000)
  })

  it('hands a sparkline the same arrays until a sample arrives', () => {
    const store = new SampleStore()
    store.push(tick(1000, { a: sample(1000, 1, 1) }))
    const series = store.seriesOf('a', 'memory')
    const first = series.get()
    expect(series.get()).toBe(first)
    store.push(tick(2000, { a: sample(2000, 2, 2) }))
    expect(series.get()).not.toBe(first)
    expect(series.get()).toEqual([
      [1, 2],
      [1, 2],
    ])
  })

  it('forgets a removed instance', () => {
    const store = new SampleStore()
    store.push(tick(1, { a: sample(1, 1, 1) }))
    store.forget('a')
    expect(store.last('a')).toBeUndefined()
  })
})
