// The main process's sampling overhead: a real Sampler and Supervisor sampling many real OS
// processes (`sleep` children, through processStats like VM and Wasm hosts) at 1 Hz.

import type { SamplesTick } from '../../contract/api.ts'
import { EventBus } from '../../main/core/events.ts'
import { RuntimeRegistry } from '../../main/core/runtime-registry.ts'
import { Sampler } from '../../main/core/sampler.ts'
import { Supervisor } from '../../main/core/supervisor.ts'
import { SleepProcessRuntime, sleepWorld } from '../../test/support/sleep-process-runtime.ts'

export interface SamplerOverhead {
  instances: number
  ticks: number
  /** CPU time of this whole process over the window, as % of one core. */
  cpuPercentOfCore: number
  /** The Sampler's own figure (what the dashboard shows), median over ticks. */
  reportedMedianPercent: number
  tickWallMsMedian: number
  tickWallMsMax: number
  instancesPerTickMin: number
}

export async function measureSamplerOverhead(instances: number, seconds: number): Promise<SamplerOverhead> {
  const runtime = new SleepProcessRuntime('wasm')
  const bus = new EventBus()
  const supervisor = new Supervisor(new RuntimeRegistry().register(runtime), bus)
  try {
    const status = await supervisor.up(sleepWorld('sampler-bench', instances))
    if (status.failed.length)
      throw new Error(`could not start the sleep processes: ${status.failed[0]!.error.message}`)
    const sampler = new Sampler(supervisor, bus, { intervalMs: 1000 })
    const ticks: SamplesTick[] = []
    const wall: number[] = []
    const originalTick = sampler.tick.bind(sampler)
    sampler.tick = async () => {
      const t0 = performance.now()
      const t = await originalTick()
      wall.push(performance.now() - t0)
      return t
    }
    bus.on('samples', (t) => ticks.push(t))
    // One warm-up tick: pidusage's first reading per pid has no previous one to diff against.
    await sampler.tick()
    ticks.length = 0
    wall.length = 0
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    sampler.start()
    await new Promise((r) => setTimeout(r, seconds * 1000 + 200))
    sampler.stop()
    const used = process.cpuUsage(cpu0)
    const elapsedMs = performance.now() - t0
    return {
      instances,
      ticks: ticks.length,
      cpuPercentOfCore: ((used.user + used.system) / 1000 / elapsedMs) * 100,
      reportedMedianPercent: median(ticks.map((t) => t.samplerCpuPercent)),
      tickWallMsMedian: median(wall),
      tickWallMsMax: Math.max(...wall),
      instancesPerTickMin: Math.min(...ticks.map((t) => Object.keys(t.instances).length)),
    }
  } finally {
    await supervisor.down('sampler-bench').catch(() => undefined)
    await runtime.close()
  }
}

export function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}
