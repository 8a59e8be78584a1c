import { describe, expect, it } from 'vitest'
import type { CostPart } from '../../contract/api.ts'
import { measureWindow } from '../../main/core/bench/window.ts'
import { WorldbenchError } from '../../main/core/errors.ts'

/** A reader of a workload that burns CPU at a known rate: cpuSeconds grows with wall time. */
function burning(rate: number, memory: number[]): () => Promise<CostPart[]> {
  const t0 = performance.now()
  let n = 0
  return async () => [
    {
      name: 'cgroup',
      memoryBytes: memory[n++ % memory.length]!,
      cpuSeconds: ((performance.now() - t0) / 1000) * rate,
    },
    { name: 'shim', pid: 1, memoryBytes: 1000, cpuSeconds: 0 },
  ]
}

describe('bench windows', () => {
  it('takes CPU from the CPU time used between the edges, memory from the readings', async () => {
    const w = await measureWindow(burning(0.5, [10_000, 30_000, 20_000]), 'x', 350)
    expect(w.readings).toBeGreaterThanOrEqual(3)
    expect(w.cpuPercent).toBeCloseTo(50, 0)
    expect(w.cpuPercentByPart.cgroup).toBeCloseTo(50, 0)
    expect(w.cpuPercentByPart.shim).toBe(0)
    expect(w.peakMemoryBytes).toBe(31_000)
    expect(w.lastParts.map((p) => p.name)).toEqual(['cgroup', 'shim'])
  })

  it('a window too short for several readings is an error naming it, never a 0', async () => {
    const err = await measureWindow(burning(1, [1]), 'hello under load', Promise.resolve()).catch(
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(WorldbenchError)
    expect((err as WorldbenchError).code).toBe('TOO_FEW_SAMPLES')
    expect((err as WorldbenchError).message).toContain('hello under load')
  })

  it('a load that fails fails the window with its own error', async () => {
    const err = await measureWindow(burning(1, [1]), 'x', Promise.reject(new Error('wrk failed'))).catch(
      (e: unknown) => e,
    )
    expect((err as Error).message).toBe('wrk failed')
  })
})
