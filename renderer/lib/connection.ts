/** Whether the page can reach the service, for the banner; and who to tell when it is back. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting'

let state: ConnectionState = 'connecting'
let failures = 0
const listeners = new Set<() => void>()
const reconnectListeners = new Set<() => void>()

export const connection = {
  state: () => state,
  /** Reconnect attempts that failed since the connection was lost. */
  failures: () => failures,
  subscribe(listener: () => void): () => void {
    listeners.add(listener)
    return () => listeners.delete(listener)
  },
  /** Called after the connection came back: what a page shows may have changed meanwhile. */
  onReconnect(listener: () => void): () => void {
    reconnectListeners.add(listener)
    return () => reconnectListeners.delete(listener)
  },
}

export function setConnection(next: ConnectionState, failed = 0): void {
  const wasLost = state === 'reconnecting'
  state = next
  failures = failed
  for (const l of listeners) l()
  if (next === 'open' && wasLost) for (const l of reconnectListeners) l()
}
