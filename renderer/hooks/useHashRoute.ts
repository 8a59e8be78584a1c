import { useEffect, useState } from 'react'

/** The current page from the URL hash (#/engines, #/instance/ID): survives reloads, works in Electron and web. */
export function useHashRoute(): string[] {
  const [route, setRoute] = useState(readHashRoute)
  useEffect(() => {
    const onChange = () => setRoute(readHashRoute())
    window.addEventListener('hashchange', onChange)
    return () => window.removeEventListener('hashchange', onChange)
  }, [])
  return route
}

function readHashRoute(): string[] {
  return window.location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent)
}

export function href(...parts: string[]): string {
  return `#/${parts.map(encodeURIComponent).join('/')}`
}
