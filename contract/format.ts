/** Formatting shared by every front (CLI tables, the renderer): dependency-free, no Node, no DOM. */

/** Bytes in binary units: "882.0 KiB", "225.7 MiB"; `missing` when there is no number. */
export function formatBytes(n: number | undefined, missing = '–'): string {
  if (n === undefined || !Number.isFinite(n)) return missing
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let v = n
  let u = 0
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return `${v.toFixed(u === 0 ? 0 : 1)} ${units[u]}`
}
