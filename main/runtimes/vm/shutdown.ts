import { waitForExit } from './qemu-process.ts'
import { QmpClient } from './qmp.ts'

const QUIT_GRACE_MS = 3000

/**
 * Stops a QEMU politely first: ACPI powerdown over QMP (the guest shuts down), then QMP quit,
 * then SIGKILL, each given its time.
 */
export async function shutDownQemu(
  existing: QmpClient | undefined,
  pid: number,
  qmpSocket: string,
  timeoutMs: number,
): Promise<void> {
  const client =
    existing && !existing.isClosed
      ? existing
      : await QmpClient.connect(qmpSocket, { timeoutMs: 2000 }).catch(() => undefined)
  if (client) {
    const status = await client
      .execute<{ status: string }>('query-status')
      .catch(() => ({ status: 'unknown' }))
    // A paused or crashed guest cannot react to ACPI; skip straight to quit.
    if (status.status === 'running') {
      await client.execute('system_powerdown').catch(() => {})
      if (await waitForExit(pid, timeoutMs)) return
    }
    await client.execute('quit').catch(() => {})
    if (await waitForExit(pid, QUIT_GRACE_MS)) return
  }
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    return
  }
  await waitForExit(pid, 5000)
}
