/**
 * Integration tests need real engines. In CI a missing engine is a failure, never a skip:
 * `requireEngine` throws there. Outside CI it tells the developer what to install.
 */
export function requireEngine(name: string, available: boolean, hint: string): void {
  if (available) return
  throw new Error(
    `${name} is not available (${hint}). Run "bash .ci/setup" to install and start the engines.`,
  )
}
