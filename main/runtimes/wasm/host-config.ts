import { cpus } from 'node:os'
import { WorldbenchError } from '../../core/errors.ts'
import type { Workload } from '../../core/world/schema.ts'
import type { HostConfig } from './host/protocol.ts'

export function wasmSpec(w: Workload): NonNullable<Workload['wasm']> {
  if (!w.wasm)
    throw new WorldbenchError(
      'WASM_SPEC_MISSING',
      `${w.name} has no "wasm" section.`,
      'Add wasm: { module: ./file.wasm }.',
    )
  return w.wasm
}

/** What a host is told to run for a workload: exactly what its world file grants, nothing more. */
export function hostConfigOf(w: Workload, file: string, format: HostConfig['format']): HostConfig {
  const spec = wasmSpec(w)
  const config: HostConfig = {
    name: w.name,
    file,
    format,
    serve: spec.serve,
    args: w.args,
    env: w.env,
    dirs: spec.dirs,
    workers: w.limits.cpus ? Math.max(1, Math.min(cpus().length, Math.ceil(w.limits.cpus))) : 1,
  }
  if (spec.allowHttp.length) config.allowHttp = spec.allowHttp
  if (w.limits.memoryMiB !== undefined) config.memoryMiB = w.limits.memoryMiB
  if (w.limits.timeoutSeconds !== undefined) config.timeoutSeconds = w.limits.timeoutSeconds
  return config
}
