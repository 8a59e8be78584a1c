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
    // One text node, changed in place: replacing it (textContent) removes and inserts a node,
    // which costs a layout; writing the same text still costs a style pass, so that is skipped.
    const node = el.firstChild instanceof Text ? el.firstChild : el.appendChild(document.createTextNode(''))
    const show = () => {
      if (!visible) return
      const next = textRef.current()
      if (node.data !== next) node.data = next
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
