import { describe, expect, it } from 'vitest'
import type { InstanceInfo, WorldSummary } from '../../contract/api.ts'
import { worldActions, worldState } from '../../renderer/lib/world-state.ts'

const trio: WorldSummary = {
  name: 'trio',
  file: '/w/trio.yaml',
  sample: true,
  kinds: ['wasm', 'container'],
  workloads: 2,
  workloadNames: ['w', 'c'],
  desired: 'down',
}
const inst = (workload: string, state: InstanceInfo['state'], world = 'trio'): InstanceInfo => ({
  id: `${world}.${workload}`,
  kind: 'wasm',
  world,
  workload,
  state,
  ports: [],
  startedAt: 0,
})
const idle = { worlds: {} }

describe('worldState and worldActions', () => {
  it('is stopped with nothing (or only stopped instances) and offers only Launch', () => {
    expect(worldState(trio, [], idle)).toBe('stopped')
    expect(worldState(trio, [inst('w', 'stopped'), inst('w', 'running', 'other')], idle)).toBe('stopped')
    expect(worldActions('stopped')).toEqual({ launch: true, stop: false })
  })

  it('is running only when every workload runs, and then offers only Stop', () => {
    expect(worldState(trio, [inst('w', 'running'), inst('c', 'running')], idle)).toBe('running')
    expect(worldActions('running')).toEqual({ launch: false, stop: true })
    expect(worldState(trio, [inst('w', 'running'), inst('c', 'stopped')], idle)).toBe('partly running')
    expect(worldActions('partly running')).toEqual({ launch: true, stop: true })
    expect(worldState(trio, [inst('w', 'running'), inst('c', 'failed')], idle)).toBe('failed')
  })

  it('takes what the service is doing over what the instances say', () => {
    const running = [inst('w', 'running'), inst('c', 'running')]
    expect(worldState(trio, running, { worlds: { trio: 'stopping' } })).toBe('stopping')
    expect(worldActions('stopping')).toEqual({ launch: false, stop: false })
    expect(worldState(trio, [], { worlds: { trio: 'starting' } })).toBe('starting')
    expect(worldActions('starting')).toEqual({ launch: false, stop: true })
  })
})
