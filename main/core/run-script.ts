import { spawn } from 'node:child_process'

export interface ScriptRun {
  /** The exit code, or undefined when the script could not be started at all (see `error`). */
  code: number | undefined
  error?: Error
  /** The last lines it printed (stdout and stderr), for an error message. */
  tail: string[]
}

/**
 * Runs a build or prepare script (argv, no shell), handing each line it prints to `onLine` as
 * progress and keeping the last ones for the error a person sees when it fails.
 */
export function runScript(
  command: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; onLine: (line: string) => void; keep?: number },
): Promise<ScriptRun> {
  const keep = opts.keep ?? 20
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(opts.cwd !== undefined && { cwd: opts.cwd }),
      ...(opts.env !== undefined && { env: opts.env }),
    })
    const tail: string[] = []
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue
        opts.onLine(line)
        tail.push(line)
        if (tail.length > keep) tail.shift()
      }
    }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    child.once('error', (error) => resolve({ code: undefined, error, tail }))
    child.once('close', (code) => resolve({ code: code ?? 1, tail }))
  })
}
