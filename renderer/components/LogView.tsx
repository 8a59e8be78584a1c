import { useEffect, useRef, useState } from 'react'
import type { LogLine } from '../../contract/api.ts'
import { api, onEvent } from '../api.ts'
import { connection } from '../lib/connection.ts'
import { filterLogs, logFileName, logText, shortTime } from '../lib/log-format.ts'
import { Button, Card } from './ui.tsx'

/** An instance's logs: live, searchable, with times on request, copied or downloaded as a file. */
export function LogView({ id, workload }: { id: string; workload: string }) {
  const [lines, setLines] = useState<LogLine[]>([])
  const [loaded, setLoaded] = useState(false)
  const [follow, setFollow] = useState(true)
  const [timestamps, setTimestamps] = useState(false)
  const [query, setQuery] = useState('')
  const box = useRef<HTMLPreElement>(null)
  useEffect(() => {
    const load = () =>
      api
        .instanceLogs({ id, tail: 2000 })
        .then(setLines)
        .catch(() => undefined)
        .finally(() => setLoaded(true))
    void load()
    const offs = [
      onEvent('log', (e) => e.id === id && setLines((l) => [...l.slice(-1999), e.line])),
      connection.onReconnect(() => void load()),
    ]
    return () => {
      for (const off of offs) off()
    }
  }, [id])
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll again whenever new lines arrive
  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight
  }, [lines, follow])
  const shown = filterLogs(lines, query)
  const download = () => {
    const url = URL.createObjectURL(new Blob([logText(shown, timestamps)], { type: 'text/plain' }))
    const a = document.createElement('a')
    a.href = url
    a.download = logFileName(workload, Date.now())
    a.click()
    setTimeout(() => URL.revokeObjectURL(url), 1000)
  }
  return (
    <Card className="mt-4">
      <div className="mb-2 flex flex-wrap items-center gap-2">
        <h2 className="font-semibold">Logs</h2>
        <input
          aria-label="Search logs"
          placeholder="Search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          className="ml-auto min-w-0 rounded-md border border-slate-300 px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-800"
        />
        <label className="flex items-center gap-1 text-sm">
          <input type="checkbox" checked={timestamps} onChange={(e) => setTimestamps(e.target.checked)} />{' '}
          Timestamps
        </label>
        <label className="flex items-center gap-1 text-sm">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow
        </label>
        <Button
          disabled={shown.length === 0}
          onClick={() => void navigator.clipboard?.writeText(logText(shown, timestamps))}
        >
          Copy
        </Button>
        <Button disabled={shown.length === 0} onClick={download} label="Download logs">
          Download
        </Button>
      </div>
      <pre
        ref={box}
        data-testid="logs"
        className="h-72 overflow-auto rounded bg-slate-950 p-3 font-mono text-xs text-slate-100"
      >
        {loaded && lines.length === 0 && (
          <span className="text-slate-400" data-testid="logs-empty">
            No output yet: nothing on stdout, stderr or the console so far.
          </span>
        )}
        {lines.length > 0 && shown.length === 0 && (
          <span className="text-slate-400" data-testid="logs-no-match">
            No line matches “{query.trim()}” ({lines.length} lines searched).
          </span>
        )}
        {shown.map((l, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: log lines have no identity of their own
          <div key={i} className={l.stream === 'stderr' ? 'text-red-300' : ''}>
            {timestamps && (
              <span className="mr-2 text-slate-500" title={new Date(l.t).toISOString()}>
                {shortTime(l.t)}
              </span>
            )}
            {l.line}
          </div>
        ))}
      </pre>
    </Card>
  )
}
