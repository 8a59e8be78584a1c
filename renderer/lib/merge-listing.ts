import type { InstanceInfo } from '../../contract/api.ts'

/**
 * The instance list after a periodic listing: our own instances keep what their events said
 * (events are newer than a listing), external ones take the listing. An instance whose
 * description did not change keeps its very object, so its memoised row does not render again,
 * and when nothing changed at all `current` itself comes back. `last` is left out of the
 * comparison: live numbers come from the sample store.
 */
export function mergeListing(
  current: InstanceInfo[],
  listed: InstanceInfo[],
  /** After a reconnect the listing is the truth: what it lacks went away while we were not listening. */
  opts: { authoritative?: boolean } = {},
): InstanceInfo[] {
  const previous = new Map(current.map((i) => [i.id, i]))
  const ours = listed.filter((i) => !i.external)
  const known = new Map(
    opts.authoritative ? [] : current.filter((i) => !i.external).map((i) => [i.id, i] as const),
  )
  for (const i of ours) known.set(i.id, { ...i, ...known.get(i.id) })
  const next = [...known.values(), ...listed.filter((i) => i.external)]
  const merged = next.map((i) => {
    const before = previous.get(i.id)
    return before && sameDescription(before, i) ? before : i
  })
  // Nothing changed: the very same list, so React skips rendering the page at all.
  return merged.length === current.length && merged.every((i, n) => i === current[n]) ? current : merged
}

function sameDescription(a: InstanceInfo, b: InstanceInfo): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)])
  keys.delete('last')
  for (const k of keys) {
    const x = a[k as keyof InstanceInfo]
    const y = b[k as keyof InstanceInfo]
    if (x !== y && (typeof x !== 'object' || JSON.stringify(x) !== JSON.stringify(y))) return false
  }
  return true
}
