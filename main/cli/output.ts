/** Prints an error the way every command does: the message, then the hint, on stderr. */
export function printError(err: unknown): void {
  // A WorldbenchError, or one relayed from the owner (RemoteError): checked by shape, so that
  // printing an error does not load the contract and its schemas into every command.
  if (err instanceof Error && 'hint' in err) {
    process.stderr.write(`error: ${err.message}\n`)
    if (typeof err.hint === 'string' && err.hint) process.stderr.write(`hint: ${err.hint}\n`)
    return
  }
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`)
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
}

/**
 * Resolves on the first Ctrl-C or SIGTERM, and from then on shields the clean-up that follows:
 * a terminal's Ctrl-C reaches every process of the group (npm, a launcher, us), so a second
 * signal often arrives at once; only a third forces the exit, leaving engine resources behind.
 */
export function untilInterrupted(): Promise<string> {
  return new Promise((resolve) => {
    let count = 0
    const onSignal = (sig: string) => {
      count++
      if (count === 1) resolve(sig)
      else if (count === 2)
        process.stderr.write('Still stopping what was started… (press Ctrl-C again to quit anyway)\n')
      else process.exit(130)
    }
    process.on('SIGINT', () => onSignal('SIGINT'))
    process.on('SIGTERM', () => onSignal('SIGTERM'))
  })
}
