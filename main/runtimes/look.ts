import type { InstanceInfo } from '../../contract/api.ts'
import { look } from '../core/look.ts'
import { readSettings } from '../core/store.ts'
import { endpointFor } from './container/discovery.ts'
import { ContainerLook } from './container/look.ts'
import { vmLook } from './vm/look.ts'

/**
 * `ps` with no service: this state dir's containers (from the engine the settings name) and VMs
 * (from their folders and QEMU processes), read without taking hold of anything. Wasm workloads
 * end with the service that ran them, so with none there are none.
 */
export function lookAtEngines(): Promise<InstanceInfo[]> {
  const socket = readSettings()['container.socket']
  const endpoint = endpointFor(typeof socket === 'string' && socket !== '' ? socket : undefined)
  return look([new ContainerLook(endpoint), vmLook])
}
