import { describe, expect, it } from 'vitest'
import { isoEpochMs, medianPhases, startPhases } from '../../main/core/start-timeline.ts'
import { bootPhaseOf } from '../../main/runtimes/vm/boot-marks.ts'

const sum = (ps: { ms: number }[]) => ps.reduce((a, p) => a + p.ms, 0)
/** A start requested at 1000 whose last phase is the port answering. */
const phasesOf = (marks: Parameters<typeof startPhases>[1], end: number) =>
  startPhases(1000, marks, end, 'port answering')

describe('start timeline', () => {
  it('turns marks into durations in time order, the last phase ending at the first success', () => {
    const phases = phasesOf(
      [
        { phase: 'process running', at: 1040 },
        { phase: 'create', at: 1010 },
        { phase: 'start', at: 1030 },
      ],
      1100,
    )
    expect(phases).toEqual([
      { name: 'create', ms: 10 },
      { name: 'start', ms: 20 },
      { name: 'process running', ms: 10 },
      { name: 'port answering', ms: 60 },
    ])
    expect(sum(phases)).toBe(100)
  })

  it('clamps a mark before the request to 0 and drops one after the end, still summing to end − t0', () => {
    const phases = phasesOf(
      [
        { phase: 'host ready', at: 999.5 },
        { phase: 'compile', at: 1020 },
        { phase: 'guest ready line', at: 1200 },
      ],
      1050,
    )
    expect(phases.map((p) => p.name)).toEqual(['host ready', 'compile', 'port answering'])
    expect(phases[0]!.ms).toBe(0)
    expect(phases.every((p) => p.ms >= 0)).toBe(true)
    expect(sum(phases)).toBe(50)
  })

  it('a mark the workload had to pass before answering, observed after the end, ends at the end', () => {
    const phases = phasesOf(
      [
        { phase: 'create', at: 1010 },
        { phase: 'process running', at: 1060, beforeReady: true },
        { phase: 'guest ready line', at: 1070 },
      ],
      1050,
    )
    expect(phases).toEqual([
      { name: 'create', ms: 10 },
      { name: 'process running', ms: 40 },
      { name: 'port answering', ms: 0 },
    ])
  })

  it('medians per phase name over runs, in first-seen order', () => {
    expect(
      medianPhases([
        [
          { name: 'a', ms: 1 },
          { name: 'b', ms: 10 },
        ],
        [
          { name: 'a', ms: 3 },
          { name: 'b', ms: 30 },
        ],
        [{ name: 'a', ms: 2 }],
      ]),
    ).toEqual([
      { name: 'a', ms: 2 },
      { name: 'b', ms: 20 },
    ])
  })

  it('keeps the sub-millisecond part of an engine time', () => {
    expect(isoEpochMs('2026-12-01T03:58:01.123456789Z') - Date.parse('2026-12-01T03:58:01.123Z')).toBeCloseTo(
      0.456789,
      4,
    )
    expect(isoEpochMs('2026-12-01T03:58:01Z')).toBe(Date.parse('2026-12-01T03:58:01Z'))
  })

  it('reads the sample VM boot lines as kernel, init and guest ready', () => {
    const seen = new Set<string>()
    expect(bootPhaseOf('[    0.000000] Linux version 6.1', seen)).toBeUndefined()
    expect(bootPhaseOf('worldbench: /init at 1.23 s', seen)).toBe('kernel')
    seen.add('kernel')
    expect(bootPhaseOf('worldbench: httpd listening at 2.50 s', seen)).toBe('init')
    expect(bootPhaseOf('WORLDBENCH-READY', seen)).toBe('guest ready line')
  })
})
