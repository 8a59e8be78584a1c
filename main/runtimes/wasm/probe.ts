import type { EngineStatus } from '../../../contract/api.ts'

/** What doctor shows about the embedded Wasm engine: V8's version, and whether components can be served. */
export async function probeWasm(spareHost: boolean): Promise<EngineStatus> {
  const details: Record<string, string> = {
    node: process.versions.node,
    v8: process.versions.v8,
    modules: 'WASI preview 1 (node:wasi)',
    // Recorded with every bench run: a Wasm start is measured with or without a booted host.
    hosts: spareHost
      ? 'cgi modules share a process per world, others get one each; booted ahead of need (spare host)'
      : 'cgi modules share a process per world, others get one each; started with it',
  }
  const warnings: string[] = []
  try {
    await import('@bytecodealliance/preview2-shim/http')
    details.components = 'WASI preview 2 via jco + @bytecodealliance/preview2-shim'
  } catch {
    warnings.push('preview2-shim is missing: components cannot be served (reinstall Worldbench).')
  }
  return {
    kind: 'wasm',
    available: typeof WebAssembly === 'object',
    engine: `V8 ${process.versions.v8} (embedded)`,
    version: process.versions.node,
    details,
    warnings,
  }
}
