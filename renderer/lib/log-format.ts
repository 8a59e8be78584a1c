import type { LogLine } from '../../contract/api.ts'

/** "02:33:08.123" in local time: short enough to stay in front of every line. */
export function shortTime(t: number): string {
  const d = new Date(t)
  const p = (n: number, w = 2) => String(n).padStart(w, '0')
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`
}

/** Lines matching a case-insensitive search (all of them when it is empty). */
export function filterLogs(lines: LogLine[], query: string): LogLine[] {
  const q = query.trim().toLowerCase()
  return q ? lines.filter((l) => l.line.toLowerCase().includes(q)) : lines
}

/** A log file's text: one line each, with an ISO 8601 UTC time and the stream when asked for. */
export function logText(lines: LogLine[], timestamps: boolean): string {
  return lines
    .map((l) => (timestamps ? `${new Date(l.t).toISOString()} ${l.stream} ${l.line}` : l.line))
    .join('\n')
    .concat(lines.length ? '\n' : '')
}

/** "hello-wasm-2026-12-01T02-33-08.log": a name that sorts by time and is valid on every OS. */
export function logFileName(workload: string, now: number): string {
  return `${workload.replace(/[^\w.-]/g, '_')}-${new Date(now).toISOString().slice(0, 19).replace(/:/g, '-')}.log`
}
