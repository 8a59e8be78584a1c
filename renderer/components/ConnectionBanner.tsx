import { useSyncExternalStore } from 'react'
import { connection } from '../lib/connection.ts'

/** Says when the page has lost the service: what it shows is then the last thing it knew. */
export function ConnectionBanner() {
  const state = useSyncExternalStore(connection.subscribe, connection.state)
  const failures = useSyncExternalStore(connection.subscribe, connection.failures)
  if (state !== 'reconnecting') return null
  return (
    <div
      role="alert"
      data-testid="connection-banner"
      className="sticky top-0 z-40 border-b border-amber-300 bg-amber-100 px-4 py-2 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"
    >
      <p className="font-medium">Disconnected from the service — reconnecting…</p>
      {failures >= 3 && (
        <p className="text-xs">
          Live numbers below are frozen. If the service was restarted, open the URL it printed: the port and
          token change at every start unless it runs with a fixed --port and WORLDBENCH_TOKEN.
        </p>
      )}
    </div>
  )
}
