import { spawn } from 'node:child_process'
import { WorldbenchError } from '../../core/errors.ts'

/** Runs a workload's `vm.build` script with the output folder as its argument, line by line. */
export function runBuildScript(
  script: string,
  outDir: string,
  onLine: (line: string) => void,
): Promise<void> {
  const [cmd, args] = script.endsWith('.sh') ? ['bash', [script, outDir]] : [script, [outDir]]
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    const tail: string[] = []
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue
        onLine(line)
        tail.push(line)
        if (tail.length > 20) tail.shift()
      }
    }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    child.once('error', (err) =>
      reject(
        new WorldbenchError(
          'VM_BUILD_FAILED',
          `Could not run the VM build script ${script}: ${err.message}`,
          "On macOS and Windows, build the image in a Linux container (see the world's vm/README.md).",
        ),
      ),
    )
    child.once('close', (code) => {
      if (code === 0) resolve()
      else
        reject(
          new WorldbenchError(
            'VM_BUILD_FAILED',
            `The VM build script ${script} failed (exit ${code}).`,
            'Read its output in the details.',
            { output: tail.join('\n') },
          ),
        )
    })
  })
}
