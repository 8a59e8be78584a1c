import type { WorldSummary } from '../../contract/api.ts'
import { api } from '../api.ts'
import { connection } from './connection.ts'
import { toUiError, type UiError } from './ui-error.ts'

let worlds: WorldSummary[] | undefined
let error: UiError | undefined
let started = false
const listeners = new Set<() => void>()

/** The list of worlds, shared by every page; refreshed after a reconnect or when one is added. */
export const worldsStore = {
  get: () => worlds,
  error: () => error,
  subscribe(listener: () => void): () => void {
    if (!started) {
      started = true
      connection.onReconnect(() => void worldsStore.refresh())
      void worldsStore.refresh()
    }
    listeners.add(listener)
    return () => listeners.delete(listener)
  },
  async refresh(): Promise<void> {
    try {
      worlds = await api.listWorlds()
      error = undefined
    } catch (e) {
      error = toUiError(e)
    }
    for (const l of listeners) l()
  },
}
