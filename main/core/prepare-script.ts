import { spawn } from 'node:child_process'
import { dirname } from 'node:path'
import { WorldbenchError } from './errors.ts'
import type { Workload } from './world/schema.ts'

/**
 * Runs a workload's `prepare` script (e.g. a sample's build of its Wasm module, container context
 * or VM image) from the world's folder, streaming each output line as progress. The script learns
 * which workload it prepares from WORLDBENCH_KIND and WORLDBENCH_WORKLOAD.
 */
export function runPrepareScript(w: Workload, onLine: (line: string) => void): Promise<void> {
  const script = w.prepare!
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script], {
      cwd: dirname(script),
      env: { ...process.env, WORLDBENCH_KIND: w.kind, WORLDBENCH_WORKLOAD: w.name },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const tail: string[] = []
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue
        onLine(line)
        tail.push(line)
        if (tail.length > 15) tail.shift()
      }
    }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    child.once('error', (err) =>
      reject(
        new WorldbenchError(
          'PREPARE_FAILED',
          `Could not run ${script} for ${w.name}: ${err.message}`,
          'Is bash installed and on PATH?',
        ),
      ),
    )
    child.once('close', (code) => {
      if (code === 0) resolve()
      else
        reject(
          new WorldbenchError(
            'PREPARE_FAILED',
            `Preparing ${w.name} failed: ${script} exited with ${code}.\n${tail.join('\n')}`,
            'Fix what its last lines say, then launch again.',
            {
              output: tail,
            },
          ),
        )
    })
  })
}
