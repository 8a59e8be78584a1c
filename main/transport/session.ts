import type { Handlers, WireEvent, WireResponse } from '../../preload/api.ts'
import type { EventBus } from '../core/events.ts'
import { dispatch } from './dispatch.ts'

const MAX_MESSAGE_BYTES = 1 << 20

/**
 * One connected client of a message transport (a WebSocket or a control-socket connection):
 * decodes its requests, answers through `dispatch`, and forwards every bus event to it.
 */
export function openSession(
  handlers: Handlers,
  bus: EventBus,
  send: (msg: WireResponse | WireEvent) => void,
) {
  const unsubscribe = bus.onAny((event, data) => send({ event, data } as WireEvent))
  return {
    async receive(raw: string): Promise<void> {
      if (raw.length > MAX_MESSAGE_BYTES) {
        send({
          id: 0,
          ok: false,
          error: {
            code: 'MESSAGE_TOO_LARGE',
            message: 'Request larger than 1 MiB.',
            hint: 'Send smaller requests.',
          },
        })
        return
      }
      let msg: { id?: unknown; method?: unknown; params?: unknown }
      try {
        msg = JSON.parse(raw)
      } catch {
        send({
          id: 0,
          ok: false,
          error: {
            code: 'BAD_MESSAGE',
            message: 'Request is not valid JSON.',
            hint: 'Send one JSON object per message.',
          },
        })
        return
      }
      const id = typeof msg?.id === 'number' ? msg.id : 0
      const res = await dispatch(handlers, msg?.method, msg?.params)
      send({ id, ...res } as WireResponse)
    },
    close: unsubscribe,
  }
}
