import { useEffect, useRef } from 'react'
import type { Sample } from '../../preload/api.ts'
import type { SampleStore } from '../lib/sample-store.ts'

/**
 * One number of one instance's latest sample, written straight into the DOM when that instance
 * is sampled: a hundred rows ticking once a second cost no React renders at all.
 */
export function LiveText({
  store,
  id,
  format,
}: {
  store: SampleStore
  id: string
  format: (s: Sample) => string
}) {
  const ref = useRef<HTMLSpanElement>(null)
  const formatRef = useRef(format)
  formatRef.current = format
  useEffect(() => {
    const show = () => {
      const last = store.last(id)
      if (ref.current) ref.current.textContent = last ? formatRef.current(last) : '–'
    }
    show()
    return store.subscribe(id, show)
  }, [store, id])
  return <span ref={ref}>–</span>
}
