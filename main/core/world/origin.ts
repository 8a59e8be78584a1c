/** An http(s) origin (no path, no query) or a `${workloads.NAME.url}` reference to one. */
export function isOriginOrRef(value: string): boolean {
  if (/^\$\{workloads\.[a-z0-9][a-z0-9-]*\.url\}$/.test(value)) return true
  try {
    const u = new URL(value)
    return (
      (u.protocol === 'http:' || u.protocol === 'https:') &&
      (u.pathname === '/' || u.pathname === '') &&
      !u.search
    )
  } catch {
    return false
  }
}
