import { WorldbenchError } from '../../core/errors.ts'
import { runWasmDirect } from '../../runtimes/wasm/run-direct.ts'
import { untilInterrupted } from '../output.ts'

export interface RunCliOptions {
  dir: string[]
  env: string[]
  serve?: 'command' | 'cgi' | 'http'
  port?: string
  memory?: string
  timeout?: string
  verbose?: boolean
}

/** `worldbench run file.wasm`: a module or component directly, like `wasmtime run`. */
export async function runCommand(file: string, args: string[], opts: RunCliOptions): Promise<number> {
  const dirs = opts.dir.map(parseDir)
  const env = Object.fromEntries(opts.env.map(parseEnv))
  const result = await runWasmDirect({
    file,
    dirs,
    env,
    args,
    ...(opts.serve && { serve: opts.serve }),
    ...(opts.port !== undefined && { port: Number(opts.port) }),
    ...(opts.memory !== undefined && { memoryMiB: Number(opts.memory) }),
    ...(opts.timeout !== undefined && { timeoutSeconds: Number(opts.timeout) }),
    ...(opts.verbose && { verbose: true }),
  })
  if (typeof result === 'number') return result
  process.stderr.write(`Serving ${file} on ${result.url}\nPress Ctrl-C to stop.\n`)
  await Promise.race([untilInterrupted(), result.exited])
  await result.stop()
  return 0
}

/** HOST:GUEST or HOST:GUEST:rw — read-only unless :rw is given. */
export function parseDir(spec: string): { host: string; guest: string; writable: boolean } {
  const m = /^(.+?):(\/[^:]*)(?::(ro|rw))?$/.exec(spec)
  if (!m)
    throw new WorldbenchError(
      'BAD_DIR',
      `--dir "${spec}" is not HOST:GUEST[:ro|rw].`,
      'Example: --dir ./data:/data:rw (guest paths are absolute).',
    )
  return { host: m[1]!, guest: m[2]!, writable: m[3] === 'rw' }
}

function parseEnv(spec: string): [string, string] {
  const i = spec.indexOf('=')
  if (i <= 0)
    throw new WorldbenchError('BAD_ENV', `--env "${spec}" is not KEY=VALUE.`, 'Example: --env GREETING=hello')
  return [spec.slice(0, i), spec.slice(i + 1)]
}
