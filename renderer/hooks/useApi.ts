import { useCallback, useEffect, useState } from 'react'
import { connection } from '../lib/connection.ts'
import { toUiError, type UiError } from '../lib/ui-error.ts'

/** Runs an API call, with loading and error state, and a reload function; again after a reconnect. */
export function useApi<T>(call: () => Promise<T>, deps: unknown[] = []) {
  const [data, setData] = useState<T | undefined>()
  const [error, setError] = useState<UiError | undefined>()
  const [loading, setLoading] = useState(true)
  const reload = useCallback(async () => {
    setLoading(true)
    try {
      setData(await call())
      setError(undefined)
    } catch (err) {
      setError(toUiError(err))
    } finally {
      setLoading(false)
    }
    // biome-ignore lint/correctness/useExhaustiveDependencies: the caller names the dependencies
  }, deps)
  useEffect(() => {
    void reload()
    return connection.onReconnect(() => void reload())
  }, [reload])
  return { data, error, loading, reload, setData }
}
