import { formatBytes as formatBytesOr } from '../../contract/format.ts'

/** A plain text table for people: left-aligned columns, two spaces apart, a header row. */
export function table(headers: string[], rows: (string | number | undefined)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === undefined ? '' : String(c))))]
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)))
  return cells
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : (c ?? '').padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

export function formatBytes(n: number | undefined): string {
  return formatBytesOr(n, '-')
}

export function formatPercent(n: number | undefined): string {
  return n === undefined ? '-' : `${n.toFixed(1)}%`
}
