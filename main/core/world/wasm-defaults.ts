/**
 * The limits a Wasm workload gets when its world file names none: a guest is never unbounded
 * by default. Requests of cgi/http workloads get a wall-clock limit; a command runs as long as
 * it needs unless one is given.
 */
import type { Workload } from './schema.ts'

export const WASM_DEFAULT_MEMORY_MIB = 256
export const WASM_DEFAULT_REQUEST_TIMEOUT_SECONDS = 30

export function withWasmDefaults<W extends Pick<Workload, 'kind' | 'limits' | 'wasm'>>(w: W): W {
  if (w.kind !== 'wasm' || !w.wasm) return w
  const serving = w.wasm.serve !== 'command'
  return {
    ...w,
    limits: {
      ...w.limits,
      memoryMiB: w.limits.memoryMiB ?? WASM_DEFAULT_MEMORY_MIB,
      ...(serving && { timeoutSeconds: w.limits.timeoutSeconds ?? WASM_DEFAULT_REQUEST_TIMEOUT_SECONDS }),
    },
  }
}
