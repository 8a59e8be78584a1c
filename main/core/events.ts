import { EventEmitter } from 'node:events'
import type { EventMap, EventName } from '../../contract/api.ts'

/** The one bus every state change goes through; transports forward it to their clients. */
export class EventBus {
  private readonly emitter = new EventEmitter()

  constructor() {
    this.emitter.setMaxListeners(0)
  }

  emit<E extends EventName>(event: E, data: EventMap[E]): void {
    this.emitter.emit(event, data)
    this.emitter.emit('*', event, data)
  }

  on<E extends EventName>(event: E, listener: (data: EventMap[E]) => void): () => void {
    this.emitter.on(event, listener)
    return () => this.emitter.off(event, listener)
  }

  /** Every event, for transports that forward all of them. */
  onAny(listener: (event: EventName, data: unknown) => void): () => void {
    this.emitter.on('*', listener)
    return () => this.emitter.off('*', listener)
  }
}
