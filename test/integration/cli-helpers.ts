import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'

/** Runs one CLI command to its end. */
export function cli(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(
      process.execPath,
      ['bin/worldbench.mjs', ...args],
      { env: { ...process.env, ...env }, timeout: 120_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  )
}

/** Starts a long-running CLI command and resolves once a stdout/stderr line matches. */
export function startUntil(
  args: string[],
  env: Record<string, string>,
  pattern: RegExp,
  node = process.execPath,
): Promise<{ child: ChildProcess; line: string; stdout: () => string }> {
  const child = spawn(node, ['bin/worldbench.mjs', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout!.on('data', (c) => (out += c))
  return new Promise((resolve, reject) => {
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on(
        'line',
        (line) => pattern.test(line) && resolve({ child, line, stdout: () => out }),
      )
    }
    child.once('exit', (code) => reject(new Error(`worldbench ${args.join(' ')} exited with ${code}`)))
  })
}

export const exited = (child: ChildProcess) =>
  new Promise<number | null>((r) =>
    child.exitCode !== null || child.signalCode !== null
      ? r(child.exitCode)
      : child.once('exit', (c) => r(c)),
  )
