import type { Activity } from '../../contract/api.ts'
import { api, onEvent } from '../api.ts'
import { connection } from './connection.ts'

let activity: Activity = { worlds: {} }
let started = false
const listeners = new Set<() => void>()

function set(next: Activity): void {
  activity = next
  for (const l of listeners) l()
}

function refresh(): void {
  api
    .activity()
    .then(set)
    .catch(() => undefined)
}

/** What the service is busy with (worlds starting or stopping, a bench run), the same in every tab. */
export const activityStore = {
  get: () => activity,
  subscribe(listener: () => void): () => void {
    if (!started) {
      started = true
      onEvent('activity', set)
      connection.onReconnect(refresh)
      refresh()
    }
    listeners.add(listener)
    return () => listeners.delete(listener)
  },
}
