/**
 * `worldbench run` of a command module, in this process: no host process, no service, no store,
 * no engine probes, so a small module costs about what Node's WASI costs. The guest's stdio are
 * the fds given (the terminal's own, for the CLI), so its output reaches them byte for byte. A
 * wall-clock limit is held by vm.runInContext's watchdog, which also stops a Wasm loop.
 */
import { createContext, runInContext } from 'node:vm'
import { WorldbenchError } from '../../../core/errors.ts'
import { loadModule } from '../module/load-module.ts'
import { type GuestIo, runGuest } from './guest-run.ts'
import type { GuestDir } from './protocol.ts'

export interface InlineRun {
  file: string
  /** argv[0] first. */
  argv: string[]
  env: Record<string, string>
  dirs: GuestDir[]
  memoryMiB: number
  timeoutSeconds?: number
  io: GuestIo
  /** Worldbench's own lines: what was granted, denials. */
  onSystem: (line: string) => void
}

export async function runCommandInline(run: InlineRun): Promise<number> {
  const loaded = await loadModule(run.file, run.memoryMiB)
  const dirs = run.dirs.map((d) => `${d.host}→${d.guest} (${d.writable ? 'rw' : 'ro'})`).join(', ')
  run.onSystem(
    `sandbox: ${dirs ? `dirs ${dirs}` : 'no directories'}; env ${Object.keys(run.env).join(', ') || 'none'}; ` +
      `memory ≤ ${run.memoryMiB} MiB; ${run.timeoutSeconds === undefined ? 'no time limit' : `time ≤ ${run.timeoutSeconds}s`}`,
  )
  const go = () =>
    runGuest(
      {
        module: loaded.module,
        memoryImports: loaded.memoryImports,
        argv: run.argv,
        env: run.env,
        dirs: run.dirs,
      },
      run.io,
      { onDenied: run.onSystem, onMemory: () => {} },
    ).exitCode
  if (run.timeoutSeconds === undefined) return go()
  const context = createContext({ go })
  try {
    return runInContext('go()', context, { timeout: run.timeoutSeconds * 1000 }) as number
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw err
    throw new WorldbenchError(
      'WASM_TIMEOUT',
      `The guest ran past its wall-clock limit of ${run.timeoutSeconds}s and was stopped.`,
      'Raise --timeout if the work is legitimately slow; otherwise the guest is stuck in a loop.',
      { timeoutSeconds: run.timeoutSeconds },
    )
  }
}
