import { useEffect, useRef } from 'react'
import { watchVisibility } from '../lib/visibility.ts'

/**
 * A live number written straight into the DOM whenever `subscribe` says it changed: a hundred
 * rows and the summary ticking once a second cost no React renders at all. Out of view it waits,
 * and catches up when it scrolls back in. `subscribe` must be stable; `text` may change freely.
 */
export function LiveText({
  subscribe,
  text,
}: {
  subscribe: (listener: () => void) => () => void
  text: () => string
}) {
  const ref = useRef<HTMLSpanElement>(null)
  const textRef = useRef(text)
  textRef.current = text
  useEffect(() => {
    const el = ref.current
    if (!el) return
    let visible = false
    const show = () => {
      if (!visible) return
      const next = textRef.current()
      // Writing the same text still costs a DOM mutation and a style pass: skip it.
      if (el.textContent !== next) el.textContent = next
    }
    const unwatch = watchVisibility(el, (isVisible) => {
      visible = isVisible
      show()
    })
    const off = subscribe(show)
    return () => {
      off()
      unwatch()
    }
  }, [subscribe])
  return <span ref={ref}>–</span>
}
