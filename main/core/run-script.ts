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
    const emit = (line: string) => {
      if (!line.trim()) return
      opts.onLine(line)
      tail.push(line)
      if (tail.length > keep) tail.shift()
    }
    // A line may arrive in pieces (a pipe hands over what was written so far): each stream keeps
    // its unfinished line until the rest comes.
    const lines = () => {
      let partial = ''
      return {
        add(chunk: string) {
          const parts = (partial + chunk).split('\n')
          partial = parts.pop() ?? ''
          for (const line of parts) emit(line)
        },
        end() {
          emit(partial)
          partial = ''
        },
      }
    }
    const out = lines()
    const err = lines()
    // Decoded per stream, so a character split between two pieces comes out whole.
    child.stdout.setEncoding('utf8').on('data', (c: string) => out.add(c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => err.add(c))
    child.once('error', (error) => resolve({ code: undefined, error, tail }))
    child.once('close', (code) => {
      out.end()
      err.end()
      resolve({ code: code ?? 1, tail })
    })
  })
}
