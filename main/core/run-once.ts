import { WorldbenchError } from './errors.ts'
import type { ReadySpec } from './readiness.ts'
import type { Instance, Runtime } from './runtime.ts'
import type { Workload } from './world/schema.ts'

/**
 * A `run: once` workload (a migration, a seed step) counts as started when it has run to its end
 * with exit code 0, within its ready.timeoutSeconds; any other end fails it with its exit code and
 * last log lines, so what depends on it never starts on a half-done step.
 */
export async function untilCompleted(
  w: Workload,
  runtime: Runtime,
  instance: Instance,
  spec: ReadySpec,
  signal?: AbortSignal,
): Promise<void> {
  if (!runtime.exited)
    throw new WorldbenchError(
      'RUN_ONCE_UNSUPPORTED',
      `${w.name} has "run: once", but the ${w.kind} runtime cannot tell when a workload exits.`,
      'Run one-off steps as container workloads, or remove "run: once".',
    )
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new WorldbenchError(
            'NOT_COMPLETED',
            `${w.name} (run: once) did not finish within ${spec.timeoutSeconds}s.`,
            'Check its logs; raise ready.timeoutSeconds if the step is just slow.',
          ),
        ),
      spec.timeoutSeconds * 1000,
    )
  })
  const aborted = new Promise<never>((_, reject) => {
    if (signal?.aborted) reject(signal.reason)
    signal?.addEventListener('abort', () => reject(signal.reason), { once: true })
  })
  // Whichever loses the race is settled later with no one listening.
  timedOut.catch(() => undefined)
  aborted.catch(() => undefined)
  let end: WorldbenchError
  try {
    end = await Promise.race([runtime.exited(instance), timedOut, aborted])
  } finally {
    clearTimeout(timer)
  }
  const code = end.details?.exitCode
  if (code === 0) return
  const last = Array.isArray(end.details?.lastLogLines) ? (end.details.lastLogLines as string[]) : []
  throw new WorldbenchError(
    'RUN_FAILED',
    `${w.name} (run: once) exited with code ${typeof code === 'number' ? code : 'unknown'}; what depends on it was not started.`,
    last.length
      ? `Its last log lines:\n${last.join('\n')}`
      : 'It printed nothing; check its command and args.',
    { exitCode: code, lastLogLines: last },
  )
}
