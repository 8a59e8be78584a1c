import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react'
import type { InstanceInfo, Sample } from '../../contract/api.ts'
import { api, onEvent } from '../api.ts'
import { connection } from '../lib/connection.ts'
import { mergeListing } from '../lib/merge-listing.ts'
import { orderInstances } from '../lib/order.ts'
import { SampleStore } from '../lib/sample-store.ts'
import { toUiError, type UiError } from '../lib/ui-error.ts'
import { worldsStore } from '../lib/worlds.ts'

/** The one store of live samples, fed by the event stream for as long as the page lives. */
export const samples = new SampleStore()
let feeding = false
function feedSamples(): void {
  if (feeding) return
  feeding = true
  onEvent('samples', (tick) => samples.push(tick))
  onEvent('instanceForgotten', ({ id }) => samples.forget(id))
}

export interface LiveInstances {
  instances: InstanceInfo[]
  error?: UiError
}

/**
 * Every instance, stopped ones included until removed, kept current from the event stream and
 * listed afresh after a reconnect. Only state changes re-render through here; samples live in
 * `samples`, which cells and sparklines subscribe to one by one. Ordered by world, then by the
 * workload's place in its world file, so rows do not move when something restarts.
 */
export function useLiveInstances(): LiveInstances {
  const [state, setState] = useState<LiveInstances>({ instances: [] })
  const current = useRef(state)
  const worlds = useSyncExternalStore(worldsStore.subscribe, worldsStore.get)
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
    const patch = (id: string, change: (i: InstanceInfo) => InstanceInfo | undefined) =>
      update((s) => {
        const idx = s.instances.findIndex((x) => x.id === id)
        if (idx < 0) return s
        const next = change(s.instances[idx]!)
        const instances = [...s.instances]
        if (next) instances[idx] = next
        else instances.splice(idx, 1)
        return { ...s, instances }
      })
    // External containers (not started by Worldbench) have no events of ours: refresh them every few seconds.
    const refresh = (authoritative = false) =>
      api
        .listInstances({ includeExternal: true, includeStopped: true })
        .then((all) =>
          update((s) => {
            const instances = mergeListing(s.instances, all, { authoritative })
            return instances === s.instances && s.error === undefined ? s : { instances }
          }),
        )
        .catch((e: unknown) => update((s) => ({ ...s, error: toUiError(e) })))
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
      // The service keeps a stopped instance listed until it is removed or runs again.
      onEvent('instanceRemoved', ({ id }) =>
        patch(id, (i) => (i.state === 'stopped' ? i : { ...i, state: 'stopped' })),
      ),
      onEvent('instanceForgotten', ({ id }) => patch(id, () => undefined)),
      connection.onReconnect(() => void refresh(true)),
    ]
    return () => {
      clearInterval(timer)
      alive = false
      for (const off of offs) off()
    }
  }, [])
  const instances = useMemo(() => orderInstances(state.instances, worlds ?? []), [state.instances, worlds])
  return useMemo(() => ({ ...state, instances }), [state, instances])
}

/** The last sample of one instance (re-renders the caller only when that instance's sample changes). */
export function useLastSample(id: string): Sample | undefined {
  const subscribe = useCallback((l: () => void) => samples.subscribe(id, l), [id])
  return useSyncExternalStore(subscribe, () => samples.last(id))
}

/**
 * The sample history of one instance, oldest first, from the one store: filled in from the
 * service's history when first asked for, then kept current by the event stream.
 */
export function useSampleHistory(id: string): readonly Sample[] {
  useEffect(() => {
    feedSamples()
    api
      .instanceSamples({ id })
      .then((older) => samples.seed(id, older))
      .catch(() => undefined)
  }, [id])
  const subscribe = useCallback((l: () => void) => samples.subscribe(id, l), [id])
  const version = useSyncExternalStore(subscribe, () => samples.version(id))
  // The store's array changes in place: a copy per version gives charts a new array to see.
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is what says the samples changed
  return useMemo(() => [...samples.samples(id)], [id, version])
}
