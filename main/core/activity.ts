import type { Activity } from '../../contract/api.ts'
import type { EventBus } from './events.ts'

/**
 * Long operations under way (a world starting or stopping, a bench run), told to every client
 * as one snapshot, so a tab opened later or reloaded shows the same buttons and spinners.
 */
export class ActivityTracker {
  private readonly worlds = new Map<string, 'starting' | 'stopping'>()
  private bench: Activity['bench']
  private readonly bus: EventBus

  constructor(bus: EventBus) {
    this.bus = bus
  }

  snapshot(): Activity {
    return { worlds: Object.fromEntries(this.worlds), ...(this.bench && { bench: this.bench }) }
  }

  async world<T>(name: string, what: 'starting' | 'stopping', work: () => Promise<T>): Promise<T> {
    this.worlds.set(name, what)
    this.changed()
    try {
      return await work()
    } finally {
      if (this.worlds.get(name) === what) this.worlds.delete(name)
      this.changed()
    }
  }

  async benchRun<T>(world: string, work: () => Promise<T>): Promise<T> {
    this.bench = { world, startedAt: Date.now() }
    this.changed()
    try {
      return await work()
    } finally {
      this.bench = undefined
      this.changed()
    }
  }

  private changed(): void {
    this.bus.emit('activity', this.snapshot())
  }
}
