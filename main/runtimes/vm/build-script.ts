import { WorldbenchError } from '../../core/errors.ts'
import { runScript } from '../../core/run-script.ts'

/** Runs a workload's `vm.build` script with the output folder as its argument, line by line. */
export async function runBuildScript(
  script: string,
  outDir: string,
  onLine: (line: string) => void,
): Promise<void> {
  const [cmd, args] = script.endsWith('.sh') ? ['bash', [script, outDir]] : [script, [outDir]]
  const run = await runScript(cmd, args, { onLine })
  if (run.error) {
    throw new WorldbenchError(
      'VM_BUILD_FAILED',
      `Could not run the VM build script ${script}: ${run.error.message}`,
      "On macOS and Windows, build the image in a Linux container (see the world's vm/README.md).",
    )
  }
  if (run.code !== 0) {
    throw new WorldbenchError(
      'VM_BUILD_FAILED',
      `The VM build script ${script} failed (exit ${run.code}).`,
      'Read its output in the details.',
      {
        output: run.tail.join('\n'),
      },
    )
  }
}
