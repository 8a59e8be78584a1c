import { runtimeFrom } from '../core/runtime-descriptor.ts'
import { RuntimeRegistry } from '../core/runtime-registry.ts'
import { DESCRIPTORS } from './descriptors.ts'

/** Every runtime Worldbench has, configured from the stored settings. */
export function createDefaultRegistry(settings: Record<string, unknown> = {}): RuntimeRegistry {
  const registry = new RuntimeRegistry()
  for (const d of DESCRIPTORS) registry.register(runtimeFrom(d, settings))
  return registry
}
