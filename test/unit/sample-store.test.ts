import { describe, expect, it } from 'vitest'
import type { Sample, SamplesTick } from '../../contract/api.ts'
import { SampleStore, SPARKLINE_POINTS } from '../../renderer/lib/sample-store.ts'

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

  it('forgets a removed instance', () => {
    const store = new SampleStore()
    store.push(tick(1, { a: sample(1, 1, 1) }))
    store.forget('a')
    expect(store.last('a')).toBeUndefined()
  })
})
