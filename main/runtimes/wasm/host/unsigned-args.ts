/**
 * Wasm passes i32 arguments to JS as signed numbers; node:wasi reads them as unsigned (as it does
 * when Wasm calls it directly), so an fd like -31337 must reach it as 4294935959 (EBADF), not
 * as a negative number (EINVAL).
 */
export function unsigned<T>(arg: T): T {
  return (typeof arg === 'number' ? arg >>> 0 : arg) as T
}
