import { readFileSync } from 'node:fs'

/** Fields of /proc/<pid>/stat after the command name (which may itself hold spaces and parens). */
function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  } catch {
    return undefined
  }
}

/**
 * Whether a pid is a live process. `kill(pid, 0)` also succeeds on zombies (exited, not yet
 * reaped), so on Linux the state letter in /proc/<pid>/stat decides.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
  if (process.platform !== 'linux') return true
  const state = procStat(pid)?.[0]
  return state !== undefined && state !== 'Z' && state !== 'X'
}

/** When the process started (clock ticks since boot, Linux): a pid reused later has another. */
export function processStartTime(pid: number): string | undefined {
  return procStat(pid)?.[19]
}
