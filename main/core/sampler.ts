import type { Sample, SamplesTick } from '../../contract/api.ts'
import type { EventBus } from './events.ts'
import { isInstanceGone } from './instance-gone.ts'
import { HostCpu, hostMemory, SelfCpu } from './metrics/host-stats.ts'
import { RingBuffer } from './metrics/ring-buffer.ts'
import type { Supervisor } from './supervisor.ts'

export interface SamplerOptions {
  intervalMs?: number
  /** Samples kept per instance: 15 minutes at 1 Hz by default. */
  history?: number
}

/**
 * Polls every running instance on one interval, keeps a ring buffer per instance, and pushes
 * one compact tick for all instances to subscribers (not one message per instance).
 */
export class Sampler {
  readonly intervalMs: number
  private readonly history: number
  private readonly buffers = new Map<string, RingBuffer<Sample>>()
  private readonly hostCpu = new HostCpu()
  private readonly selfCpu = new SelfCpu()
  private timer: NodeJS.Timeout | undefined
  private ticking = false
  private readonly supervisor: Supervisor
  private readonly bus: EventBus

  constructor(supervisor: Supervisor, bus: EventBus, opts: SamplerOptions = {}) {
    this.supervisor = supervisor
    this.bus = bus
    this.intervalMs = opts.intervalMs ?? 1000
    this.history = opts.history ?? 900
    bus.on('instanceRemoved', ({ id }) => this.buffers.delete(id))
  }

  start(): void {
    if (this.timer) return
    this.timer = setInterval(() => void this.tick(), this.intervalMs)
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  async tick(): Promise<SamplesTick | undefined> {
    if (this.ticking) return undefined
    this.ticking = true
    try {
      const running = this.supervisor
        .instances()
        .filter((i) => i.state === 'running' || i.state === 'starting')
      const samples: Record<string, Sample> = {}
      await Promise.all(
        running.map(async (i) => {
          try {
            const s = await this.supervisor.runtimeOf(i.id).sample(i)
            samples[i.id] = s
            this.bufferOf(i.id).push(s)
          } catch (err) {
            // Its engine object is gone (see the Runtime port): no sample, and failed, once.
            if (isInstanceGone(err))
              this.supervisor.engineEvent({ instanceId: i.id, state: 'failed', reason: err.message })
            // Anything else (an engine slow to answer) leaves it out of this tick only.
          }
        }),
      )
      const tick: SamplesTick = {
        t: Date.now(),
        host: { cpuPercent: this.hostCpu.percent(), ...hostMemory() },
        samplerCpuPercent: this.selfCpu.percent(),
        instances: samples,
      }
      this.bus.emit('samples', tick)
      return tick
    } finally {
      this.ticking = false
    }
  }

  private bufferOf(id: string): RingBuffer<Sample> {
    let b = this.buffers.get(id)
    if (!b) {
      b = new RingBuffer(this.history)
      this.buffers.set(id, b)
    }
    return b
  }

  samples(id: string, sinceMs = 0): Sample[] {
    return (this.buffers.get(id)?.toArray() ?? []).filter((s) => s.t >= sinceMs)
  }

  last(id: string): Sample | undefined {
    return this.buffers.get(id)?.last()
  }
}
