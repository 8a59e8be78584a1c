import type { Runtime } from '../core/runtime.ts'
import { RuntimeRegistry } from '../core/runtime-registry.ts'
import type { Kind } from '../core/world/schema.ts'
import { ContainerRuntime } from './container/index.ts'
import { VmRuntime } from './vm/index.ts'
import { WasmRuntime } from './wasm/index.ts'

/** Settings that choose an engine; changing one replaces that kind's runtime. */
export const ENGINE_SETTINGS: Record<string, Kind> = {
  'container.socket': 'container',
  'vm.qemuBinary': 'vm',
  'wasm.spareHost': 'wasm',
}

/** The real runtime of one kind, pointed at the engine the settings name (else discovered). */
export function createRuntime(kind: Kind, settings: Record<string, unknown> = {}): Runtime {
  const str = (k: string) =>
    typeof settings[k] === 'string' && settings[k] !== '' ? (settings[k] as string) : undefined
  const socketPath = str('container.socket')
  const qemuBinary = str('vm.qemuBinary')
  if (kind === 'container') return new ContainerRuntime(socketPath ? { socketPath } : {})
  if (kind === 'vm') return new VmRuntime(qemuBinary ? { qemuBinary } : {})
  // "off" (or false) trades ~40 ms per Wasm start for the ~45 MiB of an idle host process.
  const spareHost = !['off', 'false', 'no', '0'].includes(String(settings['wasm.spareHost']).toLowerCase())
  return new WasmRuntime({ spareHost })
}

/** The three real runtimes. */
export function createDefaultRegistry(settings: Record<string, unknown> = {}): RuntimeRegistry {
  const registry = new RuntimeRegistry()
  for (const kind of ['container', 'vm', 'wasm'] as const) registry.register(createRuntime(kind, settings))
  return registry
}
