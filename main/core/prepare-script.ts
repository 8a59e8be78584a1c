import { dirname } from 'node:path'
import { WorldbenchError } from './errors.ts'
import { runScript } from './run-script.ts'
import type { Workload } from './world/schema.ts'

/**
 * Runs a workload's `prepare` script (e.g. a sample's build of its Wasm module, container context
 * or VM image) from the world's folder, streaming each output line as progress. The script learns
 * which workload it prepares from WORLDBENCH_KIND and WORLDBENCH_WORKLOAD.
 */
export async function runPrepareScript(w: Workload, onLine: (line: string) => void): Promise<void> {
  const script = w.prepare!
  const run = await runScript('bash', [script], {
    cwd: dirname(script),
    env: { ...process.env, WORLDBENCH_KIND: w.kind, WORLDBENCH_WORKLOAD: w.name },
    onLine,
    keep: 15,
  })
  if (run.error) {
    throw new WorldbenchError(
      'PREPARE_FAILED',
      `Could not run ${script} for ${w.name}: ${run.error.message}`,
      'Is bash installed and on PATH?',
    )
  }
  if (run.code !== 0) {
    throw new WorldbenchError(
      'PREPARE_FAILED',
      `Preparing ${w.name} failed: ${script} exited with ${run.code}.\n${run.tail.join('\n')}`,
      'Fix what its last lines say, then launch again.',
      { output: run.tail },
    )
  }
}
