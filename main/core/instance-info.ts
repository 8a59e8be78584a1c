import type { InstanceInfo } from '../../contract/api.ts'
import type { Instance } from './runtime.ts'

/** What every front shows of an instance (no engine handle); the one mapping for every path. */
export function instanceInfo(i: Instance): InstanceInfo {
  return {
    id: i.id,
    kind: i.kind,
    world: i.world,
    workload: i.workload,
    state: i.state,
    ...(i.reason !== undefined && { reason: i.reason }),
    ports: i.ports,
    startedAt: i.startedAt,
  }
}
