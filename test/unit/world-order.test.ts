import { describe, expect, it } from 'vitest'
import { dependencyWaves, startWaves } from '../../main/core/world/order.ts'

const w = (name: string, ...dependsOn: string[]) => ({ name, dependsOn })

describe('world order', () => {
  const world = [w('web', 'api'), w('api', 'db', 'cache'), w('db'), w('cache'), w('solo'), w('worker', 'db')]

  it('start waves: each wave needs only earlier ones', () => {
    expect(startWaves(world).map((wave) => wave.map((x) => x.name))).toEqual([
      ['db', 'cache', 'solo'],
      ['api', 'worker'],
      ['web'],
    ])
  })

  it('what some workloads depend on, transitively, in start waves, and nothing else', () => {
    const web = world[0]!
    expect(dependencyWaves(world, [web]).map((wave) => wave.map((x) => x.name))).toEqual([
      ['db', 'cache'],
      ['api'],
    ])
    expect(dependencyWaves(world, [world[4]!])).toEqual([])
  })
})
