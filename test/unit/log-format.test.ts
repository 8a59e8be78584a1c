import { describe, expect, it } from 'vitest'
import type { LogLine } from '../../contract/api.ts'
import { filterLogs, logFileName, logText, shortTime } from '../../renderer/lib/log-format.ts'
import { clockLabels } from '../../renderer/lib/time-labels.ts'

const lines: LogLine[] = [
  { t: Date.UTC(2026, 11, 1, 2, 33, 8, 5), stream: 'stdout', line: 'listening on 8080' },
  { t: Date.UTC(2026, 11, 1, 2, 33, 9, 120), stream: 'stderr', line: 'GET / 200' },
]

describe('log formatting', () => {
  it('writes ISO UTC times and the stream only when timestamps are on, one line each', () => {
    expect(logText(lines, true)).toBe(
      '2026-12-01T02:33:08.005Z stdout listening on 8080\n2026-12-01T02:33:09.120Z stderr GET / 200\n',
    )
    expect(logText(lines, false)).toBe('listening on 8080\nGET / 200\n')
    expect(logText([], true)).toBe('')
  })

  it('filters case-insensitively, ignoring surrounding blanks', () => {
    expect(filterLogs(lines, '  get ')).toEqual([lines[1]])
    expect(filterLogs(lines, '')).toEqual(lines)
    expect(filterLogs(lines, 'nothing like it')).toEqual([])
  })

  it('names downloads by workload and time without characters a file system refuses', () => {
    expect(logFileName('hello/wasm:1', Date.UTC(2026, 11, 1, 2, 33, 8))).toBe(
      'hello_wasm_1-2026-12-01T02-33-08.log',
    )
  })

  it('formats short times and axis labels with fixed widths', () => {
    expect(shortTime(lines[0]!.t)).toMatch(/^\d\d:\d\d:\d\d\.005$/)
    const [a, b] = clockLabels([lines[0]!.t / 1000, lines[1]!.t / 1000], 1)
    expect(a).toMatch(/^\d\d:33:08$/)
    expect(b).toMatch(/^\d\d:33:09$/)
    expect(clockLabels([lines[0]!.t / 1000], 120)[0]).toMatch(/^\d\d:33$/)
  })
})
