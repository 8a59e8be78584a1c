import type { ChildProcess } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { WorldbenchError } from '../../core/errors.ts'
import { sleep } from '../../core/readiness.ts'
import { QmpClient } from './qmp.ts'
import { earlyExit } from './vm-errors.ts'

const START_TIMEOUT_MS = 30_000

/**
 * Connects to a just-spawned QEMU's monitor, telling apart a QEMU that could not run, one that
 * exited at once (with its stderr) and one that never opened its socket.
 */
export async function connectWhileStarting(
  child: ChildProcess,
  socket: string,
  workload: string,
  ports: { host: number; bind: string }[],
  stderrLog: string,
): Promise<QmpClient> {
  let spawnError: Error | undefined
  child.once('error', (e) => (spawnError = e))
  const deadline = Date.now() + START_TIMEOUT_MS
  while (true) {
    if (spawnError)
      throw new WorldbenchError(
        'VM_SPAWN',
        `Could not run QEMU for ${workload}: ${spawnError.message}`,
        'Check the QEMU binary (see Doctor).',
      )
    if (child.exitCode !== null || child.signalCode !== null) {
      throw earlyExit(
        workload,
        await readFile(stderrLog, 'utf8').catch(() => ''),
        child.exitCode,
        child.signalCode,
        ports,
      )
    }
    if (Date.now() > deadline) {
      throw new WorldbenchError(
        'VM_START_TIMEOUT',
        `QEMU for ${workload} did not open its monitor within ${START_TIMEOUT_MS / 1000}s.`,
        'The machine may be overloaded; try again.',
      )
    }
    let client: QmpClient | undefined
    try {
      client = await QmpClient.connect(socket, { timeoutMs: 2000 })
      await client.execute('query-status')
      return client
    } catch {
      client?.close()
      // Not listening yet, or QEMU is exiting: the next turn of the loop tells which.
      await sleep(50)
    }
  }
}
