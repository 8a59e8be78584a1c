import { toUiError } from './ui-error.ts'

/** Short notes about what an action did, shown for a few seconds (errors stay until dismissed). */
export interface Toast {
  id: number
  kind: 'ok' | 'error'
  message: string
  hint?: string
}

let toasts: Toast[] = []
let nextId = 1
const listeners = new Set<() => void>()
const notify = () => {
  for (const l of listeners) l()
}

export const toastStore = {
  all: () => toasts,
  subscribe(listener: () => void): () => void {
    listeners.add(listener)
    return () => listeners.delete(listener)
  },
  dismiss(id: number): void {
    toasts = toasts.filter((t) => t.id !== id)
    notify()
  },
}

export function toast(kind: Toast['kind'], message: string, hint?: string): void {
  const t: Toast = { id: nextId++, kind, message, ...(hint !== undefined && { hint }) }
  toasts = [...toasts.slice(-4), t]
  notify()
  if (kind === 'ok') setTimeout(() => toastStore.dismiss(t.id), 4000)
}

/** Runs an action and says how it went: "Stopped hello-wasm", or the error with its hint. */
export async function act<T>(done: string, run: () => Promise<T>): Promise<T | undefined> {
  try {
    const result = await run()
    toast('ok', done)
    return result
  } catch (err) {
    const e = toUiError(err)
    toast('error', e.message, e.hint)
    return undefined
  }
}
