type OnChange = (visible: boolean) => void

const watchers = new Map<Element, OnChange>()
let observer: IntersectionObserver | undefined

/**
 * Calls `onChange` when `el` scrolls into or out of view. One IntersectionObserver serves every
 * live cell and sparkline on the page: two hundred observers would cost more than they save.
 */
export function watchVisibility(el: Element, onChange: OnChange): () => void {
  observer ??= new IntersectionObserver((entries) => {
    for (const e of entries) watchers.get(e.target)?.(e.isIntersecting)
  })
  watchers.set(el, onChange)
  observer.observe(el)
  return () => {
    watchers.delete(el)
    observer?.unobserve(el)
  }
}
