import type { Sample, SamplesTick } from '../../contract/api.ts'

/** A sparkline shows the last minute at 1 Hz; the instance page charts the full history. */
export const SPARKLINE_POINTS = 60
/** As much as the service keeps per instance: 15 minutes at 1 Hz. */
export const HISTORY_POINTS = 900

/** One live series of one instance (e.g. its CPU %), for a sparkline to subscribe to. */
export interface LiveSeries {
  get(): [number[], number[]]
  /** Changes whenever the data does. */
  version(): number
  subscribe(listener: () => void): () => void
}

interface History {
  /** Oldest first, at most HISTORY_POINTS. */
  samples: Sample[]
  version: number
  listeners: Set<() => void>
}

/**
 * The one sample history of the renderer: per instance, its last HISTORY_POINTS samples, fed by
 * the event stream and filled in from the service's own history when a page asks for more.
 * Outside React state: a tick notifies only the cells, sparklines and charts of the instances it
 * has, instead of re-rendering every row.
 */
export class SampleStore {
  private readonly histories = new Map<string, History>()
  private readonly series = new Map<string, LiveSeries>()
  private readonly tickListeners = new Set<() => void>()
  tick: SamplesTick | undefined

  push(tick: SamplesTick): void {
    this.tick = tick
    for (const [id, s] of Object.entries(tick.instances)) {
      const h = this.history(id)
      h.samples.push(s)
      if (h.samples.length > HISTORY_POINTS) h.samples.shift()
      this.changed(h)
    }
    for (const l of this.tickListeners) l()
  }

  /**
   * Merges samples from the service (an instance's history from before this page listened, or
   * across a reconnect) with those already here, by time, keeping the newest HISTORY_POINTS.
   */
  seed(id: string, older: Sample[]): void {
    const h = this.history(id)
    const byTime = new Map<number, Sample>()
    for (const s of [...older, ...h.samples]) byTime.set(s.t, s)
    h.samples = [...byTime.values()].sort((a, b) => a.t - b.t).slice(-HISTORY_POINTS)
    this.changed(h)
  }

  forget(id: string): void {
    this.histories.delete(id)
    this.series.delete(`${id}/cpu`)
    this.series.delete(`${id}/memory`)
  }

  last(id: string): Sample | undefined {
    return this.histories.get(id)?.samples.at(-1)
  }

  /** Oldest first; the array changes in place, so read it again when `version` changes. */
  samples(id: string): readonly Sample[] {
    return this.history(id).samples
  }

  version(id: string): number {
    return this.history(id).version
  }

  subscribe(id: string, listener: () => void): () => void {
    const h = this.history(id)
    h.listeners.add(listener)
    return () => h.listeners.delete(listener)
  }

  onTick(listener: () => void): () => void {
    this.tickListeners.add(listener)
    return () => this.tickListeners.delete(listener)
  }

  /** A stable series object per instance and metric (its last minute), so memoised rows keep the same props. */
  seriesOf(id: string, metric: 'cpu' | 'memory'): LiveSeries {
    const key = `${id}/${metric}`
    let s = this.series.get(key)
    if (!s) {
      const value = metric === 'cpu' ? (x: Sample) => x.cpuPercent : (x: Sample) => x.memoryBytes
      let cached: { version: number; data: [number[], number[]] } | undefined
      s = {
        get: () => {
          const h = this.history(id)
          if (cached?.version !== h.version) {
            const recent = h.samples.slice(-SPARKLINE_POINTS)
            cached = { version: h.version, data: [recent.map((x) => x.t / 1000), recent.map(value)] }
          }
          return cached.data
        },
        version: () => this.history(id).version,
        subscribe: (listener) => this.subscribe(id, listener),
      }
      this.series.set(key, s)
    }
    return s
  }

  private changed(h: History): void {
    h.version++
    for (const l of h.listeners) l()
  }

  private history(id: string): History {
    let h = this.histories.get(id)
    if (!h) {
      h = { samples: [], version: 0, listeners: new Set() }
      this.histories.set(id, h)
    }
    return h
  }
}
