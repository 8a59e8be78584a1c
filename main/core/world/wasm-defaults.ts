/**
 * The limits a Wasm module gets when its world file names none: a guest is never unbounded by
 * default. Each CGI request gets a wall-clock limit; a command runs as long as it needs unless
 * one is given. Components (serve: http) get none: their engine does not enforce these limits
 * yet, and a limit shown but not held would be a lie.
 */
import type { Workload } from './schema.ts'

export const WASM_DEFAULT_MEMORY_MIB = 256
export const WASM_DEFAULT_REQUEST_TIMEOUT_SECONDS = 30

export function withWasmDefaults<W extends Pick<Workload, 'kind' | 'limits' | 'wasm'>>(w: W): W {
  if (w.kind !== 'wasm' || !w.wasm || w.wasm.serve === 'http') return w
  const serving = w.wasm.serve === 'cgi'
  return {
    ...w,
    limits: {
      ...w.limits,
      memoryMiB: w.limits.memoryMiB ?? WASM_DEFAULT_MEMORY_MIB,
      ...(serving && { timeoutSeconds: w.limits.timeoutSeconds ?? WASM_DEFAULT_REQUEST_TIMEOUT_SECONDS }),
    },
  }
}
