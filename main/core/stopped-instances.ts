import type { InstanceInfo, LogLine } from '../../contract/api.ts'
import type { Workload } from './world/schema.ts'

const KEEP = 200

export interface StoppedInstance {
  info: InstanceInfo
  workload: Workload | undefined
  logs: LogLine[]
}

/**
 * Instances that stopped, kept with their logs until the user removes them or their workload
 * runs again, so a stopped workload does not vanish with what it printed. In memory only: the
 * engines hold no trace of them either once stopped.
 */
export class StoppedInstances {
  private readonly byId = new Map<string, StoppedInstance>()

  keep(entry: StoppedInstance): void {
    this.byId.delete(entry.info.id)
    this.byId.set(entry.info.id, { ...entry, info: { ...entry.info, state: 'stopped' } })
    while (this.byId.size > KEEP) this.byId.delete(this.byId.keys().next().value!)
  }

  get(id: string): StoppedInstance | undefined {
    return this.byId.get(id)
  }

  all(): InstanceInfo[] {
    return [...this.byId.values()].map((s) => s.info)
  }

  /** Drops one; true when it was there. */
  remove(id: string): boolean {
    return this.byId.delete(id)
  }

  /** The stopped entries a new instance of the same workload replaces (their ids). */
  replacedBy(live: InstanceInfo): string[] {
    return [...this.byId.values()]
      .filter(
        (s) => s.info.id !== live.id && s.info.world === live.world && s.info.workload === live.workload,
      )
      .map((s) => s.info.id)
  }
}
