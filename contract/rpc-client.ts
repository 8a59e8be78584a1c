// Types only: a client (the CLI talking to a running service) needs no zod schemas to call.
import type {
  ErrorShape,
  EventMap,
  EventName,
  WireEvent,
  WireRequest,
  WireResponse,
  WorldbenchApi,
} from './api.ts'

/** An error returned by the other side, carrying the contract's error shape. */
export class RemoteError extends Error {
  readonly code: string
  readonly hint: string | undefined
  readonly details: Record<string, unknown> | undefined
  constructor(shape: ErrorShape) {
    super(shape.message)
    this.name = 'RemoteError'
    this.code = shape.code
    this.hint = shape.hint
    this.details = shape.details
  }
}

export interface MessageChannel {
  send(message: WireRequest): void
  /** Registers the one receiver of every decoded message. */
  onMessage(receive: (message: WireResponse | WireEvent) => void): void
  onClose(closed: (reason: Error) => void): void
}

/**
 * A client for any message-based transport (WebSocket, control socket): one function per
 * method in the contract's list, generated from it, plus `on` for events.
 */
export function createRpcClient(channel: MessageChannel): WorldbenchApi & { pending(): number } {
  let nextId = 1
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  const listeners = new Map<EventName, Set<(data: unknown) => void>>()

  channel.onMessage((msg) => {
    if ('event' in msg) {
      for (const l of listeners.get(msg.event) ?? []) l(msg.data)
      return
    }
    const call = waiting.get(msg.id)
    if (!call) return
    waiting.delete(msg.id)
    if (msg.ok) call.resolve(msg.result)
    else call.reject(new RemoteError(msg.error))
  })
  channel.onClose((reason) => {
    for (const call of waiting.values()) call.reject(reason)
    waiting.clear()
  })

  const own = {
    on: <E extends EventName>(event: E, listener: (data: EventMap[E]) => void) => {
      const set = listeners.get(event) ?? new Set()
      listeners.set(event, set)
      set.add(listener as (d: unknown) => void)
      return () => set.delete(listener as (d: unknown) => void)
    },
    pending: () => waiting.size,
  }
  const call =
    (method: string) =>
    (params?: unknown): Promise<unknown> =>
      new Promise((resolve, reject) => {
        const id = nextId++
        waiting.set(id, { resolve, reject })
        channel.send({ id, method, params })
      })
  // Every other property is a method of the contract; the service answers an unknown one with an
  // error. "then" is not one: the client must not look like a promise.
  return new Proxy(own, {
    get: (target, prop) =>
      typeof prop !== 'string' || prop === 'then'
        ? undefined
        : prop in target
          ? target[prop as keyof typeof own]
          : call(prop),
  }) as unknown as WorldbenchApi & { pending(): number }
}
