import { describe, expect, it } from 'vitest'
import { RESTART_LIMIT, RestartPolicy } from '../../main/core/restart-policy.ts'

const w = (restart: 'no' | 'always' | 'on-failure', name = 'api') => ({ world: 'w', name, restart })

describe('restart policy', () => {
  it('restart: no never restarts; on-failure only a failed end; always any end', () => {
    const policy = new RestartPolicy()
    expect(policy.decide(w('no'), { state: 'failed', exitCode: 1 })).toEqual({ action: 'none' })
    expect(policy.decide(w('on-failure'), { state: 'stopped', exitCode: 0 })).toEqual({ action: 'none' })
    expect(policy.decide(w('on-failure'), { state: 'failed', exitCode: 137 })).toMatchObject({
      action: 'restart',
      why: 'exit 137',
    })
    expect(policy.decide(w('always', 'web'), { state: 'stopped', reason: 'exited' })).toMatchObject({
      action: 'restart',
      why: 'exited',
    })
    expect(policy.decide(w('always', 'db'), { state: 'stopped' })).toMatchObject({ why: 'stopped' })
  })

  it('a run-once step that completed is done whatever its policy; one that failed follows it', () => {
    const policy = new RestartPolicy()
    const step = { ...w('always', 'migrate'), run: 'once' as const }
    expect(policy.decide(step, { state: 'stopped', exitCode: 0 })).toEqual({ action: 'none' })
    expect(policy.decide(step, { state: 'failed', exitCode: 3 })).toMatchObject({
      action: 'restart',
      why: 'exit 3',
    })
  })

  it('waits twice as long at each restart within a minute, then gives up naming the last reason', () => {
    const policy = new RestartPolicy()
    const end = { state: 'failed' as const, reason: 'OOM killed' }
    const delays = Array.from({ length: RESTART_LIMIT }, (_, i) => policy.decide(w('always'), end, 1000 + i))
    expect(delays.map((d) => (d.action === 'restart' ? d.delayMs : d.action))).toEqual([
      250, 500, 1000, 2000, 4000,
    ])
    expect(policy.decide(w('always'), end, 2000)).toEqual({
      action: 'give up',
      reason: 'restarted 5 times within a minute; giving up (OOM killed)',
    })
    // Another workload has its own count.
    expect(policy.decide(w('always', 'other'), end, 2000)).toMatchObject({ action: 'restart', delayMs: 250 })
    // A minute after those restarts, it starts again from the first delay.
    expect(policy.decide(w('always'), end, 1000 + 60_000 + RESTART_LIMIT)).toMatchObject({
      action: 'restart',
      delayMs: 250,
    })
  })
})
