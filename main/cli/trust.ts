import { createInterface } from 'node:readline/promises'
import type { WorldbenchApi } from '../../contract/api.ts'
import { RemoteError } from '../../contract/rpc-client.ts'
import { WorldbenchError } from '../core/errors.ts'

/**
 * Runs `start`; when the world's scripts are not trusted yet, asks once on the terminal (or takes
 * --yes), trusts exactly what was shown, and runs `start` again. Without a terminal and without
 * --yes it refuses: nothing is run that nobody agreed to.
 */
export async function withTrust<T>(
  api: WorldbenchApi,
  yes: boolean | undefined,
  start: () => Promise<T>,
): Promise<T> {
  try {
    return await start()
  } catch (err) {
    if (!(err instanceof RemoteError) || err.code !== 'WORLD_NOT_TRUSTED') throw err
    const { file, sha256 } = err.details as { file: string; sha256: string }
    if (!yes) {
      if (!process.stdin.isTTY || !process.stderr.isTTY)
        throw new WorldbenchError(
          'WORLD_NOT_TRUSTED',
          err.message,
          'Read those scripts, then run the command again with --yes to let them run (there is no terminal to ask on).',
        )
      if (!(await confirm(`${err.message}\nLet them run? [y/N] `)))
        throw new WorldbenchError(
          'WORLD_NOT_TRUSTED',
          'Not trusted: nothing was run.',
          'Add --yes to skip the question.',
        )
    }
    await api.trustWorld({ world: file, sha256 })
    return start()
  }
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr })
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim())
  } finally {
    rl.close()
  }
}
