import { RemoteError } from '../../preload/rpc-client.ts'
import { WorldbenchError } from '../core/errors.ts'

/** Prints an error the way every command does: the message, then the hint, on stderr. */
export function printError(err: unknown): void {
  if (err instanceof WorldbenchError || err instanceof RemoteError) {
    process.stderr.write(`error: ${err.message}\n`)
    if (err.hint) process.stderr.write(`hint: ${err.hint}\n`)
    return
  }
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`)
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
}

/** Resolves on the first Ctrl-C or SIGTERM. */
export function untilInterrupted(): Promise<string> {
  return new Promise((resolve) => {
    const done = (sig: string) => {
      process.off('SIGINT', onInt)
      process.off('SIGTERM', onTerm)
      resolve(sig)
    }
    const onInt = () => done('SIGINT')
    const onTerm = () => done('SIGTERM')
    process.once('SIGINT', onInt)
    process.once('SIGTERM', onTerm)
  })
}
