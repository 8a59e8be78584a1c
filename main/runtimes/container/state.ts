import type { InstanceState } from '../../../contract/api.ts'

/** What an inspected container's State means for an instance. */
export function stateFromInspect(
  s:
    | { Running?: boolean; Status?: string; ExitCode?: number; OOMKilled?: boolean; Restarting?: boolean }
    | undefined,
): { state: InstanceState; reason?: string } {
  if (!s) return { state: 'unknown' }
  if (s.Running || s.Restarting) return { state: 'running' }
  if (s.Status === 'created') return { state: 'starting' }
  if (s.OOMKilled) return { state: 'failed', reason: 'killed for running out of memory' }
  const code = s.ExitCode ?? 0
  return code === 0
    ? { state: 'stopped', reason: 'exited with code 0' }
    : { state: 'failed', reason: `exited with code ${code}` }
}

/** The state of a `docker ps` row ("running", "exited", "created", …). */
export function stateFromListing(
  state: string | undefined,
  status: string | undefined,
): { state: InstanceState; reason?: string } {
  if (state === 'running' || state === 'restarting') return { state: 'running' }
  if (state === 'created') return { state: 'starting' }
  const code = /Exited \((\d+)\)/.exec(status ?? '')?.[1]
  if (code !== undefined) return stateFromInspect({ Status: 'exited', ExitCode: Number(code) })
  return { state: 'stopped', ...(status ? { reason: status } : {}) }
}
