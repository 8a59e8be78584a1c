import type { Sample, SamplesTick } from '../../contract/api.ts'

/** A sparkline shows the last minute at 1 Hz; the instance page charts the full history. */
export const SPARKLINE_POINTS = 60

/** One live series of one instance (e.g. its CPU %), for a sparkline to subscribe to. */
export interface LiveSeries {
  get(): [number[], number[]]
  /** Changes whenever the data does (the arrays are updated in place). */
  version(): number
  subscribe(listener: () => void): () => void
}

interface History {
  times: number[]
  cpu: number[]
  memory: number[]
  last: Sample | undefined
  version: number
  listeners: Set<() => void>
}

const emptyHistory = (): History => ({
  times: [],
  cpu: [],
  memory: [],
  last: undefined,
  version: 0,
  listeners: new Set(),
})

function append(xs: number[], x: number): void {
  xs.push(x)
  if (xs.length > SPARKLINE_POINTS) xs.shift()
}

/**
 * The samples of every instance, outside React state: a tick updates the store and notifies
 * only the cells and sparklines that show an instance, instead of re-rendering every row.
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
      append(h.times, s.t / 1000)
      append(h.cpu, s.cpuPercent)
      append(h.memory, s.memoryBytes)
      h.last = s
      h.version++
      for (const l of h.listeners) l()
    }
    for (const l of this.tickListeners) l()
  }

  forget(id: string): void {
    this.histories.delete(id)
    this.series.delete(`${id}/cpu`)
    this.series.delete(`${id}/memory`)
  }

  last(id: string): Sample | undefined {
    return this.histories.get(id)?.last
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

  /** A stable series object per instance and metric, so memoised rows keep the same props. */
  seriesOf(id: string, metric: 'cpu' | 'memory'): LiveSeries {
    const key = `${id}/${metric}`
    let s = this.series.get(key)
    if (!s) {
      s = {
        get: () => {
          const h = this.history(id)
          return [h.times, h[metric]]
        },
        version: () => this.history(id).version,
        subscribe: (listener) => this.subscribe(id, listener),
      }
      this.series.set(key, s)
    }
    return s
  }

  private history(id: string): History {
    let h = this.histories.get(id)
    if (!h) {
      h = emptyHistory()
      this.histories.set(id, h)
    }
    return h
  }
}
