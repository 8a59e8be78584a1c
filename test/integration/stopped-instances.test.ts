import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Activity, EventMap } from '../../contract/api.ts'
import { createService } from '../../main/create-service.ts'
import type { WorldbenchService } from '../../main/service.ts'
import { httpGet, trustTestWorld } from './helpers.ts'

const world = join(process.cwd(), 'test/fixtures/worlds/wasm-only/world.yaml')

describe('a stopped instance stays listed with its logs, and starts again', () => {
  let service: WorldbenchService
  const forgotten: EventMap['instanceForgotten'][] = []
  const activity: Activity[] = []

  beforeAll(() => {
    service = createService()
    service.bus.on('instanceForgotten', (e) => forgotten.push(e))
    service.bus.on('activity', (a) => activity.push(a))
  })
  afterAll(async () => {
    await service.close({ stopAll: true })
  })

  it('keeps the stopped instance and its logs, starts it again, and forgets it on remove', async () => {
    await trustTestWorld(service, world)
    const up = await service.handlers.worldUp({ world })
    expect(up.failed).toEqual([])
    // Every client saw the world starting, then nothing under way.
    expect(activity[0]?.worlds['wasm-only']).toBe('starting')
    expect(await service.handlers.activity(undefined)).toEqual({ worlds: {} })
    const first = up.instances[0]!
    expect((await httpGet(first.ports[0]!.url)).status).toBe(200)

    await service.handlers.stopInstance({ id: first.id })
    expect(service.listInstances()).toEqual([])
    const listed = await service.handlers.listInstances({ includeExternal: false, includeStopped: true })
    expect(listed.map((i) => [i.id, i.state])).toEqual([[first.id, 'stopped']])
    const logs = await service.handlers.instanceLogs({ id: first.id, tail: 100 })
    expect(logs.length).toBeGreaterThan(0)
    expect((await service.handlers.instanceDetails({ id: first.id })).definition).toMatchObject({
      name: 'hello',
    })
    await expect(service.handlers.restartInstance({ id: first.id })).rejects.toMatchObject({
      code: 'NO_SUCH_INSTANCE',
    })

    const again = await service.handlers.startInstance({ id: first.id })
    expect(again.id).not.toBe(first.id)
    expect(again.state).toBe('running')
    expect((await httpGet(again.ports[0]!.url)).status).toBe(200)
    // The new instance replaces the stopped one: one row per workload.
    expect(forgotten).toContainEqual({ id: first.id })
    const now = await service.handlers.listInstances({ includeExternal: false, includeStopped: true })
    expect(now.map((i) => i.id)).toEqual([again.id])
    await expect(service.handlers.removeInstance({ id: again.id })).rejects.toMatchObject({
      code: 'NOT_STOPPED',
    })

    await service.handlers.worldDown({ world: 'wasm-only' })
    await service.handlers.removeInstance({ id: again.id })
    expect(forgotten).toContainEqual({ id: again.id })
    expect(await service.handlers.listInstances({ includeExternal: false, includeStopped: true })).toEqual([])
    await expect(service.handlers.startInstance({ id: again.id })).rejects.toMatchObject({
      code: 'NO_SUCH_INSTANCE',
    })
  })
})
