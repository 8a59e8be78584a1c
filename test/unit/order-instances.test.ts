import { describe, expect, it } from 'vitest'
import type { InstanceInfo, WorldSummary } from '../../contract/api.ts'
import { orderInstances } from '../../renderer/lib/order.ts'

const world = (name: string, workloadNames: string[]): WorldSummary => ({
  name,
  file: `/w/${name}.yaml`,
  sample: true,
  kinds: [],
  workloads: workloadNames.length,
  workloadNames,
  desired: 'up',
})
const inst = (world: string, workload: string, extra: Partial<InstanceInfo> = {}): InstanceInfo => ({
  id: `${world}.${workload}.${extra.startedAt ?? 0}`,
  kind: 'wasm',
  world,
  workload,
  state: 'running',
  ports: [],
  startedAt: 0,
  ...extra,
})

describe('orderInstances', () => {
  const worlds = [world('trio', ['w', 'c', 'v']), world('alpha', ['z', 'a'])]

  it('follows the world list, then the order of workloads in the world file, not start time or name', () => {
    const listed = [
      inst('alpha', 'a', { startedAt: 1 }),
      inst('trio', 'v', { startedAt: 2 }),
      inst('trio', 'w', { startedAt: 9 }),
      inst('alpha', 'z', { startedAt: 3 }),
      inst('trio', 'c', { startedAt: 4 }),
    ]
    expect(orderInstances(listed, worlds).map((i) => `${i.world}/${i.workload}`)).toEqual([
      'trio/w',
      'trio/c',
      'trio/v',
      'alpha/z',
      'alpha/a',
    ])
  })

  it('puts worlds it does not know after the known ones by name, and external containers last', () => {
    const listed = [
      inst('external', 'nginx', { external: true }),
      inst('zeta', 'b'),
      inst('beta', 'x'),
      inst('trio', 'v'),
    ]
    expect(orderInstances(listed, worlds).map((i) => `${i.world}/${i.workload}`)).toEqual([
      'trio/v',
      'beta/x',
      'zeta/b',
      'external/nginx',
    ])
  })

  it('keeps a restarted instance (new id, later start) in its place', () => {
    const before = orderInstances([inst('trio', 'w'), inst('trio', 'c')], worlds)
    const after = orderInstances([inst('trio', 'w', { startedAt: 50, id: 'new' }), inst('trio', 'c')], worlds)
    expect(after.map((i) => i.workload)).toEqual(before.map((i) => i.workload))
  })
})
