import type { PortBinding } from '../../../contract/api.ts'
import { WorldbenchError } from '../errors.ts'
import { pollHttp } from '../readiness.ts'

/** How long the prober rests between attempts: often enough to be exact to a few ms, cheap when refused. */
export const PROBE_INTERVAL_MS = 5

/**
 * Polls GET `path` on a port on 127.0.0.1 from the moment it is called until a success; resolves
 * with performance.now() of the success. The same prober times every kind and every baseline.
 */
export async function firstSuccess(
  port: PortBinding,
  path: string,
  deadline: number,
  signal: AbortSignal,
  name: string,
): Promise<number> {
  return pollHttp(port, path, {
    intervalMs: PROBE_INTERVAL_MS,
    deadline,
    signal,
    timedOut: () =>
      new WorldbenchError(
        'NO_RESPONSE',
        `${name} never answered HTTP ${path} with success.`,
        'Check its logs.',
      ),
  })
}
