import {
  type EventMap,
  type EventName,
  type Handlers,
  methodNames,
  type WorldbenchApi,
} from '../../contract/api.ts'
import { RemoteError } from '../../contract/rpc-client.ts'
import type { EventBus } from '../core/events.ts'
import { dispatch } from './dispatch.ts'

/** A client for a service in this same process: the same validation and errors as over a socket. */
export function createLocalClient(handlers: Handlers, bus: EventBus): WorldbenchApi {
  const api: Record<string, unknown> = {}
  for (const method of methodNames) {
    api[method] = async (params?: unknown) => {
      const res = await dispatch(handlers, method, params)
      if (!res.ok) throw new RemoteError(res.error)
      return res.result
    }
  }
  api.on = <E extends EventName>(event: E, listener: (data: EventMap[E]) => void) => bus.on(event, listener)
  return api as WorldbenchApi
}
