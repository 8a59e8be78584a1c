import { Store } from './core/store.ts'
import { createDefaultRegistry } from './runtimes/default-registry.ts'
import { DESCRIPTORS } from './runtimes/descriptors.ts'
import { type ServiceOptions, WorldbenchService } from './service.ts'

/** The composition root: the service with every runtime, configured from the store's settings. */
export function createService(opts: Partial<ServiceOptions> = {}): WorldbenchService {
  const store = opts.store ?? new Store()
  const registry = opts.registry ?? createDefaultRegistry(store.getSettings())
  return new WorldbenchService({ descriptors: DESCRIPTORS, ...opts, store, registry })
}
