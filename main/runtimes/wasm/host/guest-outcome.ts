/**
 * What a guest run came to, wherever it ran: a worker's done/failed message turned into the
 * outcome a serve mode sees (a failure at the memory cap named as such), the errors of a run
 * stopped from outside, and the running totals a workload's samples show.
 */
import type { ErrorShape } from '../../../../contract/api.ts'
import { WorldbenchError } from '../../../core/errors.ts'
import type { WorkerMessage } from './worker-messages.ts'

export type JobInput =
  | { mode: 'command'; stdin?: 'process' }
  | { mode: 'cgi'; env: Record<string, string>; body: Uint8Array }
export type JobOutcome =
  | { ok: true; exitCode: number; memoryBytes: number; stdout?: Uint8Array; ms: number }
  | { ok: false; error: ErrorShape; memoryBytes: number; ms: number }

type Finished = Extract<WorkerMessage, { type: 'done' | 'failed' }>

/** The outcome of a finished run (ms is the caller's to fill in). */
export function outcomeOf(m: Finished, memoryLimitBytes: number | undefined): JobOutcome {
  // The engine refuses growth past the cap, so a guest that fails with memory at the cap ran out of it.
  const atCap = memoryLimitBytes !== undefined && m.memoryBytes >= memoryLimitBytes * 0.9
  if (m.type === 'failed') {
    const error =
      m.error.code === 'WASM_TRAP' && atCap
        ? memoryLimitError(m.memoryBytes, memoryLimitBytes!, m.error.message)
        : m.error
    return { ok: false, error, memoryBytes: m.memoryBytes, ms: 0 }
  }
  if (m.exitCode !== 0 && atCap) {
    return {
      ok: false,
      error: memoryLimitError(m.memoryBytes, memoryLimitBytes!, `exited with code ${m.exitCode}`),
      memoryBytes: m.memoryBytes,
      ms: 0,
    }
  }
  const out: JobOutcome = { ok: true, exitCode: m.exitCode, memoryBytes: m.memoryBytes, ms: 0 }
  if (m.stdout) out.stdout = m.stdout
  return out
}

function memoryLimitError(bytes: number, limit: number, what: string): ErrorShape {
  const mib = (n: number) => (n / 2 ** 20).toFixed(1)
  return new WorldbenchError(
    'WASM_MEMORY_LIMIT',
    `The guest hit its memory limit: linear memory reached ${mib(bytes)} of ${mib(limit)} MiB and it ${what.replace(/\.$/, '')}.`,
    'Raise limits.memoryMiB if the workload needs more memory.',
    { memoryBytes: bytes, limitBytes: limit },
  ).toShape()
}

export function timeoutError(timeoutMs: number): ErrorShape {
  const seconds = timeoutMs / 1000
  return new WorldbenchError(
    'WASM_TIMEOUT',
    `The guest ran past its wall-clock limit of ${seconds}s and was stopped.`,
    'Raise limits.timeoutSeconds if the work is legitimately slow; otherwise the guest is stuck in a loop.',
    { timeoutSeconds: seconds },
  ).toShape()
}

export function threadFault(err?: Error): ErrorShape {
  return err
    ? {
        code: 'WASM_HOST_FAULT',
        message: `The guest's worker thread failed: ${err.message}`,
        hint: 'This is likely a bug in Worldbench or Node; the request was not completed.',
      }
    : {
        code: 'WASM_HOST_FAULT',
        message: "The guest's worker thread exited unexpectedly.",
        hint: 'Check the logs just before this line.',
      }
}

/** A workload's running totals over its guest runs. */
export class GuestTally {
  /** CPU time spent in its guests, in ms. */
  guestCpuMs = 0
  /** The largest linear memory one guest reached. */
  peakInstanceBytes = 0

  add(m: Finished, onStderr?: (text: string) => void): void {
    this.guestCpuMs += m.cpuMs
    this.peakInstanceBytes = Math.max(this.peakInstanceBytes, m.memoryBytes)
    if (m.stderr) onStderr?.(Buffer.from(m.stderr).toString('utf8'))
  }
}
