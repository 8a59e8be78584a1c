import type { ErrorShape, Handlers, WireEvent, WireResponse } from '../../contract/api.ts'
import type { EventBus } from '../core/events.ts'
import { type Caller, dispatch } from './dispatch.ts'
import { jsonDepthExceeds, limitErrors, MAX_IN_FLIGHT, MAX_JSON_DEPTH, MAX_MESSAGE_BYTES } from './limits.ts'

/**
 * One connected client of a message transport (a WebSocket or a control-socket connection):
 * decodes its requests, answers through `dispatch`, and forwards every bus event to it.
 * Nothing a client sends can throw out of here: every message gets an answer, and a client
 * that sends more than a message may hold is answered, then dropped with `drop`.
 */
export function openSession(
  handlers: Handlers,
  bus: EventBus,
  send: (msg: WireResponse | WireEvent) => void,
  drop: () => void,
  caller: Caller,
) {
  const unsubscribe = bus.onAny((event, data) => send({ event, data } as WireEvent))
  let inFlight = 0
  const refuse = (id: number, error: ErrorShape) => send({ id, ok: false, error })
  const tooLarge = () => {
    refuse(0, limitErrors.tooLarge())
    drop()
  }
  return {
    /** For a transport that stops reading a message once it passes MAX_MESSAGE_BYTES. */
    tooLarge,
    async receive(raw: string): Promise<void> {
      if (raw.length > MAX_MESSAGE_BYTES) return tooLarge()
      if (jsonDepthExceeds(raw, MAX_JSON_DEPTH)) return refuse(0, limitErrors.tooDeep())
      let msg: { id?: unknown; method?: unknown; params?: unknown }
      try {
        msg = JSON.parse(raw)
      } catch {
        return refuse(0, limitErrors.badJson())
      }
      const id = typeof msg?.id === 'number' && Number.isSafeInteger(msg.id) ? msg.id : 0
      if (inFlight >= MAX_IN_FLIGHT) return refuse(id, limitErrors.busy())
      inFlight++
      try {
        const res = await dispatch(handlers, msg?.method, msg?.params, caller)
        send({ id, ...res } as WireResponse)
      } finally {
        inFlight--
      }
    },
    close: unsubscribe,
  }
}
