import { useSyncExternalStore } from 'react'
import { toastStore } from '../lib/toasts.ts'

/** The results of actions, bottom right, announced to screen readers. */
export function Toasts() {
  const toasts = useSyncExternalStore(toastStore.subscribe, toastStore.all)
  return (
    <div className="fixed right-4 bottom-4 z-50 flex w-80 max-w-[90vw] flex-col gap-2" aria-live="polite">
      {toasts.map((t) => (
        <div
          key={t.id}
          role={t.kind === 'error' ? 'alert' : 'status'}
          data-testid="toast"
          className={`rounded-md border p-3 text-sm shadow-lg ${
            t.kind === 'error'
              ? 'border-red-300 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100'
              : 'border-emerald-300 bg-emerald-50 text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-100'
          }`}
        >
          <div className="flex items-start gap-2">
            <p className="flex-1 whitespace-pre-wrap break-words font-medium">{t.message}</p>
            <button
              type="button"
              aria-label="Dismiss"
              className="text-xs opacity-70 hover:opacity-100"
              onClick={() => toastStore.dismiss(t.id)}
            >
              ✕
            </button>
          </div>
          {t.hint && <p className="mt-1 whitespace-pre-wrap break-words text-xs">{t.hint}</p>}
        </div>
      ))}
    </div>
  )
}
