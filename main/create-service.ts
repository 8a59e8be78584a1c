import { Store } from './core/store.ts'
import { createDefaultRegistry, createRuntime, ENGINE_SETTINGS } from './runtimes/default-registry.ts'
import { type ServiceOptions, WorldbenchService } from './service.ts'

/** The service with the three real runtimes, configured from the store's settings. */
export function createService(opts: Partial<ServiceOptions> = {}): WorldbenchService {
  const store = opts.store ?? new Store()
  const registry = opts.registry ?? createDefaultRegistry(store.getSettings())
  return new WorldbenchService({
    runtimeFactory: createRuntime,
    engineSettings: ENGINE_SETTINGS,
    ...opts,
    store,
    registry,
  })
}
