import { useEffect, useState } from 'react'
import type { InstanceInfo, Sample, SamplesTick } from '../../preload/api.ts'
import { api, onEvent } from '../api.ts'

const KEEP = 120

export interface LiveInstances {
  instances: InstanceInfo[]
  history: Record<string, Sample[]>
  tick?: SamplesTick
  error?: string
}

/** Every instance, kept current from the event stream: state changes and one samples tick a second. */
export function useLiveInstances(): LiveInstances {
  const [state, setState] = useState<LiveInstances>({ instances: [], history: {} })
  useEffect(() => {
    let alive = true
    api
      .listInstances({})
      .then((instances) => alive && setState((s) => ({ ...s, instances })))
      .catch((e: Error) => alive && setState((s) => ({ ...s, error: e.message })))
    const offs = [
      onEvent('instance', (i) =>
        setState((s) => {
          const idx = s.instances.findIndex((x) => x.id === i.id)
          const instances = [...s.instances]
          if (idx >= 0) instances[idx] = { ...instances[idx], ...i }
          else instances.push(i)
          return { ...s, instances }
        }),
      ),
      onEvent('instanceRemoved', ({ id }) =>
        setState((s) => {
          const history = { ...s.history }
          delete history[id]
          return { ...s, instances: s.instances.filter((x) => x.id !== id), history }
        }),
      ),
      onEvent('samples', (tick) =>
        setState((s) => {
          const history = { ...s.history }
          for (const [id, sample] of Object.entries(tick.instances)) {
            history[id] = [...(history[id] ?? []).slice(-(KEEP - 1)), sample]
          }
          const instances = s.instances.map((i) => (tick.instances[i.id] ? { ...i, last: tick.instances[i.id] } : i))
          return { ...s, instances, history, tick }
        }),
      ),
    ]
    return () => {
      alive = false
      for (const off of offs) off()
    }
  }, [])
  return state
}
