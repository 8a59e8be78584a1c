import { afterEach, describe, expect, it } from 'vitest'
import type { SamplesTick } from '../../contract/api.ts'
import { EventBus } from '../../main/core/events.ts'
import { busyPercent, cpuCounters, cpuPercentOfOneCore, SelfCpu } from '../../main/core/metrics/host-stats.ts'
import { RingBuffer } from '../../main/core/metrics/ring-buffer.ts'
import { RuntimeRegistry } from '../../main/core/runtime-registry.ts'
import { Sampler } from '../../main/core/sampler.ts'
import { Supervisor } from '../../main/core/supervisor.ts'
import { SleepProcessRuntime, sleepWorld } from '../support/sleep-process-runtime.ts'

describe('RingBuffer', () => {
  it('keeps items oldest first until it is full', () => {
    const b = new RingBuffer<number>(3)
    expect(b.toArray()).toEqual([])
    expect(b.last()).toBeUndefined()
    b.push(1)
    b.push(2)
    expect(b.toArray()).toEqual([1, 2])
    expect(b.size).toBe(2)
    expect(b.last()).toBe(2)
  })

  it('drops the oldest when it wraps around, many times over', () => {
    const b = new RingBuffer<number>(3)
    for (let n = 1; n <= 10; n++) b.push(n)
    expect(b.toArray()).toEqual([8, 9, 10])
    expect(b.size).toBe(3)
    expect(b.capacity).toBe(3)
    expect(b.last()).toBe(10)
  })

  it('holds 15 minutes at 1 Hz, the Sampler default, and no more', () => {
    const b = new RingBuffer<number>(900)
    for (let n = 0; n < 1000; n++) b.push(n)
    const all = b.toArray()
    expect(all).toHaveLength(900)
    expect(all[0]).toBe(100)
    expect(all[899]).toBe(999)
  })

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError)
    expect(() => new RingBuffer(1.5)).toThrow(RangeError)
  })
})

describe('CPU % from counters', () => {
  const core = (user: number, sys: number, idle: number) => ({ times: { user, nice: 0, sys, irq: 0, idle } })

  it('sums busy and total time over cores', () => {
    expect(cpuCounters([core(100, 50, 850), core(10, 0, 990)])).toEqual({ busy: 160, total: 2000 })
  })

  it('is the busy share of the time that passed between two readings', () => {
    const before = cpuCounters([core(100, 0, 900), core(100, 0, 900)])
    // core 0 fully busy for 1000 ms, core 1 idle: half the host
    const after = cpuCounters([core(1100, 0, 900), core(100, 0, 1900)])
    expect(busyPercent(before, after)).toBeCloseTo(50, 5)
  })

  it('gives 0 (never NaN, negative or over 100) when counters stand still or go backwards', () => {
    const c = { busy: 500, total: 1000 }
    expect(busyPercent(c, c)).toBe(0)
    expect(busyPercent(c, { busy: 400, total: 900 })).toBe(0)
    expect(busyPercent(c, { busy: 700, total: 1100 })).toBe(100)
  })

  it("is a process's CPU time over wall time, as % of one core", () => {
    const before = { user: 1_000_000, system: 500_000 }
    // 15 ms user + 5 ms system over 1000 ms of wall time = 2 % of a core
    expect(cpuPercentOfOneCore(before, { user: 1_015_000, system: 505_000 }, 1000)).toBeCloseTo(2, 5)
    // two busy threads can use more than one core
    expect(cpuPercentOfOneCore(before, { user: 2_500_000, system: 1_000_000 }, 1000)).toBeCloseTo(200, 5)
    expect(cpuPercentOfOneCore(before, before, 0)).toBe(0)
  })

  it('SelfCpu sees a busy loop of this process', () => {
    const self = new SelfCpu()
    const end = performance.now() + 200
    while (performance.now() < end) Math.sqrt(Math.random())
    expect(self.percent()).toBeGreaterThan(25)
  })
})

describe('Sampler update batching', () => {
  // A real Supervisor and registry; the runtime is a STAND-IN whose instances are real `sleep`
  // processes, sampled through processStats like VM and Wasm hosts are.
  let runtime: SleepProcessRuntime | undefined
  afterEach(async () => {
    await runtime?.close()
  })

  it('emits one samples event per tick carrying every running instance, and keeps each history', async () => {
    runtime = new SleepProcessRuntime('wasm')
    const bus = new EventBus()
    const supervisor = new Supervisor(new RuntimeRegistry().register(runtime), bus)
    const status = await supervisor.up(sleepWorld('batch', 5))
    expect(status.failed).toEqual([])
    const ids = status.instances.map((i) => i.id).sort()
    expect(ids).toHaveLength(5)

    const sampler = new Sampler(supervisor, bus, { history: 3 })
    const ticks: SamplesTick[] = []
    bus.on('samples', (t) => ticks.push(t))
    for (let n = 0; n < 4; n++) await sampler.tick()

    expect(ticks).toHaveLength(4)
    for (const t of ticks) {
      expect(Object.keys(t.instances).sort()).toEqual(ids)
      expect(t.host.memoryTotalBytes).toBeGreaterThan(0)
      expect(t.samplerCpuPercent).toBeGreaterThanOrEqual(0)
    }
    // sleep processes have a real resident set
    expect(ticks[3]!.instances[ids[0]!]!.memoryBytes).toBeGreaterThan(100_000)
    // history is per instance and bounded by the ring buffer
    expect(sampler.samples(ids[0]!)).toHaveLength(3)
    expect(sampler.last(ids[0]!)).toEqual(ticks[3]!.instances[ids[0]!])

    // a stopped instance leaves the next tick and its history is dropped
    await supervisor.stopInstance(ids[0]!)
    await sampler.tick()
    expect(Object.keys(ticks[4]!.instances).sort()).toEqual(ids.slice(1))
    await supervisor.down('batch')
  })

  it('does not overlap ticks: a tick asked for while one runs is skipped, not queued', async () => {
    runtime = new SleepProcessRuntime('wasm')
    const bus = new EventBus()
    const supervisor = new Supervisor(new RuntimeRegistry().register(runtime), bus)
    await supervisor.up(sleepWorld('overlap', 2))
    const sampler = new Sampler(supervisor, bus)
    let events = 0
    bus.on('samples', () => events++)
    const [a, b] = await Promise.all([sampler.tick(), sampler.tick()])
    expect(a).toBeDefined()
    expect(b).toBeUndefined()
    expect(events).toBe(1)
    await supervisor.down('overlap')
  })
})

describe('process stats from /proc', () => {
  it('parses utime, stime and rss even when the command name holds spaces and parens', async () => {
    const { parseProcStat } = await import('../../main/core/metrics/process-stats.ts')
    // Real /proc/<pid>/stat layout (Linux 6), with a hostile command name.
    const line =
      '4242 (qemu (x) b) S 1 4242 4242 0 -1 4194560 123 0 0 0 250 75 0 0 20 0 3 0 12345 900000000 54321 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0'
    expect(parseProcStat(line)).toEqual({ utime: 250, stime: 75, rssPages: 54321 })
  })

  it('measures this very process: real RSS, and CPU % after it burns CPU', async () => {
    const { linuxStats } = await import('../../main/core/metrics/process-stats.ts')
    linuxStats(process.pid)
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    while (performance.now() < t0 + 200) Math.sqrt(Math.random())
    const s = linuxStats(process.pid)
    // What the process itself counts over the same window: on a busy machine it gets less than a core.
    const used = process.cpuUsage(cpu0)
    const own = ((used.user + used.system) / 1000 / (performance.now() - t0)) * 100
    expect(s.rssBytes).toBeGreaterThan(10 * 1024 * 1024)
    expect(s.cpuPercent).toBeGreaterThan(5)
    // /proc counts in 10 ms ticks, and the two windows differ by a few calls: within 25 points.
    expect(Math.abs(s.cpuPercent - own)).toBeLessThan(25)
    expect(s.pssBytes).toBeGreaterThan(0)
    expect(() => linuxStats(2 ** 22 + 7)).toThrow(/not running/)
  })
})
