const BYTE_UNITS: Record<string, number> = {
  b: 1,
  k: 1024,
  kb: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
}

/** Compose's byte sizes ("64m", "1g", "512MB", or a number of bytes) in MiB, rounded up; undefined if unreadable. */
export function mebibytes(v: string | number): number | undefined {
  if (typeof v === 'number') return v > 0 ? Math.ceil(v / 1024 ** 2) : undefined
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(v)
  const unit = BYTE_UNITS[(m?.[2] || 'b').toLowerCase()]
  if (!m || !unit) return undefined
  const bytes = Number(m[1]) * unit
  return bytes > 0 ? Math.ceil(bytes / 1024 ** 2) : undefined
}

const TIME_UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 }

/** Compose's durations ("1m30s", "500ms") in seconds. The schema has already checked the syntax. */
export function seconds(v: string): number {
  let total = 0
  for (const m of v.matchAll(/(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)/g)) total += Number(m[1]) * TIME_UNITS[m[2]!]!
  return total
}
