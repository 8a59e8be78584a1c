import { describe, expect, it } from 'vitest'
import type { EngineStatus, Sample } from '../../contract/api.ts'
import { WorldbenchError } from '../../main/core/errors.ts'
import { EventBus } from '../../main/core/events.ts'
import type { Artifact, Instance, Runtime } from '../../main/core/runtime.ts'
import { RuntimeRegistry } from '../../main/core/runtime-registry.ts'
import { Supervisor } from '../../main/core/supervisor.ts'
import type { Kind, Workload, World } from '../../main/core/world/schema.ts'

/**
 * A FAKE runtime, for the Supervisor's ordering and rollback logic only: it records the order of
 * starts and stops and fails on command. The real engines are driven in test/integration.
 */
class ScriptedRuntime implements Runtime {
  readonly kind: Kind
  readonly calls: string[]
  failStart = new Set<string>()
  startDelayMs = 5
  available = true

  constructor(kind: Kind, calls: string[]) {
    this.kind = kind
    this.calls = calls
  }
  async probe(): Promise<EngineStatus> {
    return this.available
      ? { kind: this.kind, available: true, details: {}, warnings: [] }
      : {
          kind: this.kind,
          available: false,
          details: {},
          warnings: [],
          error: { code: 'ENGINE_DOWN', message: `${this.kind} engine is down`, hint: 'start it' },
        }
  }
  async prepare(w: Workload): Promise<Artifact> {
    return { kind: this.kind, ref: w.name, bytes: 1 }
  }
  async start(w: Workload): Promise<Instance> {
    await new Promise((r) => setTimeout(r, this.startDelayMs))
    if (this.failStart.has(w.name)) throw new WorldbenchError('START_FAILED', `${w.name} exploded`, 'fix it')
    this.calls.push(`start ${w.name}`)
    return {
      id: `${w.world}.${w.name}`,
      kind: this.kind,
      world: w.world,
      workload: w.name,
      state: 'starting',
      ports: [],
      handle: {},
      startedAt: Date.now(),
    }
  }
  async stop(i: Instance): Promise<void> {
    this.calls.push(`stop ${i.workload}`)
  }
  async sample(): Promise<Sample> {
    return { t: Date.now(), cpuPercent: 0, memoryBytes: 0 }
  }
  async *logs() {}
  async adopt(): Promise<Instance[]> {
    return []
  }
}

function world(workloads: { name: string; kind: Kind; dependsOn?: string[] }[]): World {
  return {
    name: 'w',
    file: '/w/world.yaml',
    dir: '/w',
    workloads: workloads.map(
      (w) =>
        ({
          world: 'w',
          ports: [],
          env: {},
          args: [],
          limits: {},
          restart: 'no',
          dependsOn: [],
          ...w,
        }) as Workload,
    ),
  }
}

function setup() {
  const calls: string[] = []
  const runtimes = {
    container: new ScriptedRuntime('container', calls),
    wasm: new ScriptedRuntime('wasm', calls),
    vm: new ScriptedRuntime('vm', calls),
  }
  const registry = new RuntimeRegistry()
    .register(runtimes.container)
    .register(runtimes.wasm)
    .register(runtimes.vm)
  const bus = new EventBus()
  const states: string[] = []
  bus.on('instance', (i) => states.push(`${i.workload}:${i.state}`))
  return { calls, runtimes, supervisor: new Supervisor(registry, bus), states }
}

describe('Supervisor', () => {
  const trio = world([
    { name: 'db', kind: 'container' },
    { name: 'api', kind: 'wasm', dependsOn: ['db'] },
    { name: 'web', kind: 'vm', dependsOn: ['api'] },
  ])

  it('starts in dependency order, stops in reverse, and reports each state change', async () => {
    const { calls, supervisor, states } = setup()
    const status = await supervisor.up(trio)
    expect(status.failed).toEqual([])
    expect(status.instances.map((i) => i.state)).toEqual(['running', 'running', 'running'])
    await supervisor.down('w')
    expect(calls).toEqual(['start db', 'start api', 'start web', 'stop web', 'stop api', 'stop db'])
    expect(states.filter((s) => s.startsWith('db:'))).toEqual([
      'db:starting',
      'db:running',
      'db:stopping',
      'db:stopped',
    ])
    expect(supervisor.instances()).toEqual([])
  })

  it('rolls back what it started when a workload fails, and names the failed one', async () => {
    const { calls, runtimes, supervisor } = setup()
    runtimes.vm.failStart.add('web')
    const status = await supervisor.up(trio)
    expect(status.instances).toEqual([])
    expect(status.failed).toEqual([
      { workload: 'web', error: { code: 'START_FAILED', message: 'web exploded', hint: 'fix it' } },
    ])
    expect(calls).toEqual(['start db', 'start api', 'stop api', 'stop db'])
    expect(supervisor.instances()).toEqual([])
  })

  it('starts the rest when one engine is missing, naming the engine, and skips what depends on it', async () => {
    const { calls, runtimes, supervisor } = setup()
    runtimes.container.available = false
    const status = await supervisor.up(
      world([
        { name: 'db', kind: 'container' },
        { name: 'api', kind: 'wasm', dependsOn: ['db'] },
        { name: 'solo', kind: 'vm' },
      ]),
    )
    expect(status.instances.map((i) => i.workload)).toEqual(['solo'])
    expect(status.failed.map((f) => [f.workload, f.error.code])).toEqual([
      ['db', 'ENGINE_UNAVAILABLE'],
      ['api', 'DEPENDENCY_FAILED'],
    ])
    expect(status.failed[0]!.error.message).toContain('container engine is down')
    expect(calls).toEqual(['start solo'])
    await supervisor.down('w')
  })

  it('joins a second launch of the same world instead of starting it twice', async () => {
    const { calls, supervisor } = setup()
    const [a, b] = await Promise.all([supervisor.up(trio), supervisor.up(trio)])
    expect(a).toBe(b)
    expect(calls.filter((c) => c.startsWith('start'))).toHaveLength(3)
    await supervisor.down('w')
  })

  it('down during a launch cancels it and stops what had already started', async () => {
    const { calls, runtimes, supervisor } = setup()
    runtimes.vm.startDelayMs = 200
    const launch = supervisor.up(trio)
    await new Promise((r) => setTimeout(r, 60))
    await supervisor.down('w')
    const status = await launch
    expect(status.instances).toEqual([])
    expect(status.failed[0]?.error.code).toBe('CANCELLED')
    expect(calls.filter((c) => c.startsWith('start')).length).toBe(
      calls.filter((c) => c.startsWith('stop')).length,
    )
    expect(supervisor.instances()).toEqual([])
  })
})
