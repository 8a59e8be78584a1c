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
    // External containers (not started by Worldbench) have no events of ours: refresh them every few seconds.
    const refresh = () =>
      api
        .listInstances({ includeExternal: true })
        .then(
          (all) =>
            alive &&
            setState((s) => {
              const ours = new Map(s.instances.filter((i) => !i.external).map((i) => [i.id, i]))
              for (const i of all.filter((x) => !x.external)) ours.set(i.id, { ...i, ...ours.get(i.id) })
              return {
                ...s,
                instances: [...ours.values(), ...all.filter((x) => x.external)],
                error: undefined,
              }
            }),
        )
        .catch((e: Error) => alive && setState((s) => ({ ...s, error: e.message })))
    void refresh()
    const timer = setInterval(() => void refresh(), 5000)
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
          const instances = s.instances.map((i) =>
            tick.instances[i.id] ? { ...i, last: tick.instances[i.id] } : i,
          )
          return { ...s, instances, history, tick }
        }),
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
