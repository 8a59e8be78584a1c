import { describe, expect, it } from 'vitest'
import type { InstanceInfo } from '../../contract/api.ts'
import { mergeListing } from '../../renderer/lib/merge-listing.ts'

const instance = (id: string, more: Partial<InstanceInfo> = {}): InstanceInfo => ({
  startedAt: 1,
  id,
  kind: 'wasm',
  world: 'w',
  workload: id,
  state: 'running',
  ports: [{ host: 8080, guest: 8080, bind: '127.0.0.1', url: 'http://127.0.0.1:8080/' }],
  ...more,
})

describe('merging a periodic instance listing into the dashboard list', () => {
  it('keeps the very object of an instance whose description did not change, whatever its last sample', () => {
    const a = instance('a')
    const ext = instance('x', { external: true, kind: 'container', image: 'nginx' })
    const merged = mergeListing(
      [a, ext],
      [
        { ...instance('a'), last: { t: 1, cpuPercent: 3, memoryBytes: 9 } },
        instance('x', { external: true, kind: 'container', image: 'nginx' }),
      ],
    )
    expect(merged[0]).toBe(a)
    expect(merged[1]).toBe(ext)
    expect(
      mergeListing(merged, [
        instance('a'),
        instance('x', { external: true, kind: 'container', image: 'nginx' }),
      ]),
    ).toBe(merged)
  })

  it('takes a changed external container and a new instance, and drops an external one that is gone', () => {
    const ext = instance('x', { external: true, kind: 'container', state: 'running' })
    const gone = instance('y', { external: true, kind: 'container' })
    const merged = mergeListing(
      [ext, gone],
      [instance('x', { external: true, kind: 'container', state: 'stopped' }), instance('new')],
    )
    expect(merged.map((i) => [i.id, i.state])).toEqual([
      ['new', 'running'],
      ['x', 'stopped'],
    ])
    expect(merged[1]).not.toBe(ext)
  })

  it('lets our own instance keep what its events said over an older listing', () => {
    const fromEvent = instance('a', { state: 'stopping' })
    const merged = mergeListing([fromEvent], [instance('a', { state: 'running' })])
    expect(merged[0]).toBe(fromEvent)
  })
})
