import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react'
import type { InstanceInfo, Sample } from '../../preload/api.ts'
import { api, onEvent } from '../api.ts'
import { mergeListing } from '../lib/merge-listing.ts'
import { SampleStore } from '../lib/sample-store.ts'

/** The one store of live samples, fed by the event stream for as long as the page lives. */
export const samples = new SampleStore()
let feeding = false
function feedSamples(): void {
  if (feeding) return
  feeding = true
  onEvent('samples', (tick) => samples.push(tick))
  onEvent('instanceRemoved', ({ id }) => samples.forget(id))
}

export interface LiveInstances {
  instances: InstanceInfo[]
  error?: string
}

/**
 * Every instance, kept current from the event stream. Only state changes re-render through
 * here; samples live in `samples`, which cells and sparklines subscribe to one by one.
 */
export function useLiveInstances(): LiveInstances {
  const [state, setState] = useState<LiveInstances>({ instances: [] })
  const current = useRef(state)
  useEffect(() => {
    feedSamples()
    let alive = true
    // Computed against the latest list, outside React: a listing that changes nothing sets no
    // state, so the page does not even render.
    const update = (next: (s: LiveInstances) => LiveInstances) => {
      const s = next(current.current)
      if (!alive || s === current.current) return
      current.current = s
      setState(s)
    }
    // External containers (not started by Worldbench) have no events of ours: refresh them every few seconds.
    const refresh = () =>
      api
        .listInstances({ includeExternal: true })
        .then((all) =>
          update((s) => {
            const instances = mergeListing(s.instances, all)
            return instances === s.instances && s.error === undefined ? s : { instances }
          }),
        )
        .catch((e: Error) => update((s) => ({ ...s, error: e.message })))
    void refresh()
    const timer = setInterval(() => void refresh(), 5000)
    const offs = [
      onEvent('instance', (i) =>
        update((s) => {
          const idx = s.instances.findIndex((x) => x.id === i.id)
          const instances = [...s.instances]
          if (idx >= 0) instances[idx] = { ...instances[idx], ...i }
          else instances.push(i)
          return { ...s, instances }
        }),
      ),
      onEvent('instanceRemoved', ({ id }) =>
        update((s) => ({ ...s, instances: s.instances.filter((x) => x.id !== id) })),
      ),
    ]
    return () => {
      clearInterval(timer)
      alive = false
      for (const off of offs) off()
    }
  }, [])
  return state
}

/** The last sample of one instance (re-renders the caller only when that instance's sample changes). */
export function useLastSample(id: string): Sample | undefined {
  const subscribe = useCallback((l: () => void) => samples.subscribe(id, l), [id])
  return useSyncExternalStore(subscribe, () => samples.last(id))
}
