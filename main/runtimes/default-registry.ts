import { ContainerRuntime } from './container/index.ts'
import { RuntimeRegistry } from './registry.ts'
import { VmRuntime } from './vm/index.ts'
import { WasmRuntime } from './wasm/index.ts'

/** The three real runtimes; settings can point them at a specific engine. */
export function createDefaultRegistry(settings: Record<string, unknown> = {}): RuntimeRegistry {
  const str = (k: string) =>
    typeof settings[k] === 'string' && settings[k] !== '' ? (settings[k] as string) : undefined
  const socketPath = str('container.socket')
  const qemuBinary = str('vm.qemuBinary')
  return new RuntimeRegistry()
    .register(new ContainerRuntime(socketPath ? { socketPath } : {}))
    .register(new VmRuntime(qemuBinary ? { qemuBinary } : {}))
    .register(new WasmRuntime())
}
