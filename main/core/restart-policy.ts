import type { InstanceState } from '../../contract/api.ts'
import type { Workload } from './world/schema.ts'

/** At most this many restarts of one workload within RESTART_WINDOW_MS; then it stays failed. */
export const RESTART_LIMIT = 5
export const RESTART_WINDOW_MS = 60_000
/** The first restart waits this long; each next one within the window twice as long. */
export const RESTART_FIRST_DELAY_MS = 250

export type RestartDecision =
  | { action: 'none' }
  | { action: 'give up'; reason: string }
  | { action: 'restart'; delayMs: number; why: string }

/** How an instance ended on its own: its state now, its reason, and its exit code when known. */
export interface Ending {
  state: InstanceState
  reason?: string
  exitCode?: number
}

/**
 * `restart: always` brings an instance back whenever it ends on its own, `on-failure` only when
 * it failed; at most RESTART_LIMIT times a minute with a doubling delay, so a crash loop ends as
 * failed with its reason. Remembers the restarts it allowed, per workload.
 */
export class RestartPolicy {
  private readonly restarts = new Map<string, number[]>()

  decide(
    w: Pick<Workload, 'world' | 'name' | 'restart' | 'run'>,
    end: Ending,
    now = Date.now(),
  ): RestartDecision {
    // A run-once step that ended well is done, whatever its policy says.
    const done = w.run === 'once' && end.state !== 'failed'
    if (done || w.restart === 'no' || (w.restart === 'on-failure' && end.state !== 'failed'))
      return { action: 'none' }
    const key = `${w.world}/${w.name}`
    const recent = (this.restarts.get(key) ?? []).filter((t) => now - t < RESTART_WINDOW_MS)
    if (recent.length >= RESTART_LIMIT) {
      return {
        action: 'give up',
        reason: `restarted ${RESTART_LIMIT} times within a minute; giving up (${end.reason ?? 'no reason given'})`,
      }
    }
    this.restarts.set(key, [...recent, now])
    return {
      action: 'restart',
      delayMs: RESTART_FIRST_DELAY_MS * 2 ** recent.length,
      why: end.exitCode !== undefined ? `exit ${end.exitCode}` : (end.reason ?? end.state),
    }
  }
}
