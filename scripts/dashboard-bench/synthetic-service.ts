// SYNTHETIC DATA FOR A RENDERING BENCHMARK: a stand-in for the service that answers the contract
// with 100 made-up instances and emits one made-up samples tick a second. Nothing runs; it only
// feeds the real renderer, served by the real web-mode server, a realistic stream of updates.

import type { Handlers, InstanceInfo, Kind, MethodName, Sample, SamplesTick } from '../../contract/api.ts'
import { methodNames } from '../../contract/api.ts'
import { WorldbenchError } from '../../main/core/errors.ts'
import { EventBus } from '../../main/core/events.ts'

const KINDS: Kind[] = ['vm', 'container', 'wasm']

export interface SyntheticService {
  handlers: Handlers
  bus: EventBus
  instances: InstanceInfo[]
  start(): void
  stop(): void
}

export function syntheticService(count: number, worlds = 10): SyntheticService {
  const bus = new EventBus()
  const startedAt = Date.now()
  const instances: InstanceInfo[] = Array.from({ length: count }, (_, n) => {
    const world = `synthetic-${n % worlds}`
    const workload = `w${n}`
    return {
      id: `${world}.${workload}.${n.toString(16).padStart(6, '0')}`,
      kind: KINDS[n % KINDS.length]!,
      world,
      workload,
      state: 'running',
      ports: [{ host: 20000 + n, guest: 8080, bind: '127.0.0.1', url: `http://127.0.0.1:${20000 + n}/` }],
      startedAt,
    }
  })
  const sampleOf = (n: number, t: number): Sample => ({
    t,
    cpuPercent: Math.max(0, 5 + 5 * Math.sin(t / 3000 + n)),
    memoryBytes: (20 + (n % 7) * 10) * 2 ** 20 + Math.round(2 ** 20 * Math.sin(t / 5000 + n)),
    netRxBytes: (t - startedAt) * 10,
    netTxBytes: (t - startedAt) * 5,
  })

  const refuse = (m: MethodName) => async () => {
    throw new WorldbenchError(
      'SYNTHETIC',
      `${m} is not part of the synthetic rendering benchmark.`,
      'Run a real service for this.',
    )
  }
  const handlers = Object.fromEntries(methodNames.map((m) => [m, refuse(m)])) as unknown as Handlers
  handlers.listInstances = async () => instances.map((i, n) => ({ ...i, last: sampleOf(n, Date.now()) }))
  handlers.listWorlds = async () => []
  handlers.instanceSamples = async () => []
  handlers.instanceLogs = async () => []
  handlers.getSettings = async () => ({})

  let timer: NodeJS.Timeout | undefined
  return {
    handlers,
    bus,
    instances,
    start() {
      timer ??= setInterval(() => {
        const t = Date.now()
        const tick: SamplesTick = {
          t,
          host: { cpuPercent: 12, memoryUsedBytes: 4 * 2 ** 30, memoryTotalBytes: 16 * 2 ** 30 },
          samplerCpuPercent: 0.5,
          instances: Object.fromEntries(instances.map((i, n) => [i.id, sampleOf(n, t)])),
        }
        bus.emit('samples', tick)
      }, 1000)
    },
    stop() {
      clearInterval(timer)
      timer = undefined
    },
  }
}
