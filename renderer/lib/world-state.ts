import type { Activity, InstanceInfo, WorldSummary } from '../../contract/api.ts'

export type WorldState = 'starting' | 'stopping' | 'running' | 'partly running' | 'failed' | 'stopped'

/** A world's state as every tab sees it: from the service's activity and its live instances. */
export function worldState(world: WorldSummary, instances: InstanceInfo[], activity: Activity): WorldState {
  const busy = activity.worlds[world.name]
  if (busy) return busy
  const mine = instances.filter((i) => i.world === world.name && !i.external)
  const running = new Set(mine.filter((i) => i.state === 'running').map((i) => i.workload))
  if (world.workloadNames.length > 0 && world.workloadNames.every((w) => running.has(w))) return 'running'
  if (mine.some((i) => i.state === 'failed')) return 'failed'
  if (mine.some((i) => i.state !== 'stopped')) return 'partly running'
  return 'stopped'
}

/** Which of Launch and Stop make sense now. */
export function worldActions(state: WorldState): { launch: boolean; stop: boolean } {
  return {
    launch: state === 'stopped' || state === 'partly running' || state === 'failed',
    // Stopping a world that is starting cancels the launch.
    stop: state !== 'stopped' && state !== 'stopping',
  }
}
