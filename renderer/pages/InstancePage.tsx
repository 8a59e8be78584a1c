import { useEffect, useMemo, useRef, useState } from 'react'
import type { InstanceDetails, LogLine, Sample } from '../../preload/api.ts'
import { api, onEvent } from '../api.ts'
import { StartTimelineCard } from '../components/StartTimeline.tsx'
import { TimeChart } from '../components/TimeChart.tsx'
import {
  Button,
  Card,
  Empty,
  ErrorBox,
  formatBytes,
  KindBadge,
  PageTitle,
  StateBadge,
  UrlLink,
} from '../components/ui.tsx'
import { WasmSandbox } from '../components/WasmSandbox.tsx'
import { href } from '../hooks/useHashRoute.ts'
import { useLastSample, useLiveInstances } from '../hooks/useLiveInstances.ts'

/** One instance: CPU, memory and network over time, its logs, and its definition. */
export function InstancePage({ id }: { id: string }) {
  const live = useLiveInstances()
  const last = useLastSample(id)
  const instance = live.instances.find((i) => i.id === id)
  const [history, setHistory] = useState<Sample[]>([])
  const [error, setError] = useState<{ message: string; hint?: string }>()

  useEffect(() => {
    api
      .instanceSamples({ id })
      .then(setHistory)
      .catch(() => undefined)
    return onEvent('samples', (tick) => {
      const s = tick.instances[id]
      if (s) setHistory((h) => [...h.slice(-899), s])
    })
  }, [id])

  const times = useMemo(() => history.map((s) => s.t / 1000), [history])
  const cpu = useMemo(
    () => [{ label: 'CPU %', values: history.map((s) => s.cpuPercent), color: '#6366f1' }],
    [history],
  )
  const mem = useMemo(
    () => [
      { label: 'host memory', values: history.map((s) => s.memoryBytes), color: '#0ea5e9' },
      { label: 'guest memory', values: history.map((s) => s.guestMemoryBytes ?? null), color: '#a855f7' },
    ],
    [history],
  )
  const net = useMemo(
    () => [
      { label: 'rx bytes', values: history.map((s) => s.netRxBytes ?? null), color: '#10b981' },
      { label: 'tx bytes', values: history.map((s) => s.netTxBytes ?? null), color: '#f59e0b' },
    ],
    [history],
  )

  if (!instance) {
    return (
      <Empty>
        This instance is not running any more. Back to the{' '}
        <a className="text-indigo-600 underline" href={href('dashboard')}>
          Dashboard
        </a>
        .
      </Empty>
    )
  }
  return (
    <div>
      <PageTitle
        actions={
          <Button
            variant="danger"
            onClick={() => api.stopInstance({ id }).catch(setError)}
            label="Stop instance"
          >
            Stop
          </Button>
        }
      >
        <span className="flex items-center gap-2">
          {instance.workload} <KindBadge kind={instance.kind} /> <StateBadge state={instance.state} />
        </span>
      </PageTitle>
      {error && <ErrorBox error={error} />}
      <p className="mb-4 text-sm text-slate-500">
        World {instance.world} ·{' '}
        {instance.ports.map((p) => (
          <UrlLink key={p.url} url={p.url} className="mr-2" />
        ))}
        · memory now {formatBytes(last?.memoryBytes ?? instance.last?.memoryBytes)}
        <HostShare sample={last ?? instance.last} />
      </p>
      <StartTimelineCard phases={instance.timeline} />
      <div className="grid gap-4 xl:grid-cols-3">
        <Card>
          <TimeChart title="CPU" times={times} series={cpu} format={(v) => `${v.toFixed(1)}%`} />
        </Card>
        <Card>
          <TimeChart title="Memory" times={times} series={mem} format={formatBytes} minTop={1 << 20} />
        </Card>
        <Card>
          <TimeChart title="Network" times={times} series={net} format={formatBytes} minTop={1 << 20} />
        </Card>
      </div>
      <LogView id={id} />
      <Details id={id} />
    </div>
  )
}

/** For Wasm: the host process the workload is in, and its share of it (counted in its memory). */
function HostShare({ sample }: { sample: Sample | undefined }) {
  const host = sample?.host
  if (!host) return null
  return (
    <span data-testid="host-share">
      {' '}
      · host process {host.pid}
      {host.workloads > 1 ? `, shared by ${host.workloads} workloads` : ', its own'}: share{' '}
      {formatBytes(host.shareBytes)} of {formatBytes(host.pssBytes ?? host.rssBytes)}
      {sample.guestPeakBytes ? ` · largest instance ${formatBytes(sample.guestPeakBytes)}` : ''}
    </span>
  )
}

/** The workload as declared, and for Wasm what the module needs and offers (or its WIT world). */
function Details({ id }: { id: string }) {
  const [details, setDetails] = useState<InstanceDetails>()
  useEffect(() => {
    api
      .instanceDetails({ id })
      .then(setDetails)
      .catch(() => undefined)
  }, [id])
  if (!details) return null
  const wasm = details.wasm
  return (
    <div className="mt-4 grid gap-4 xl:grid-cols-2">
      {details.definition && (
        <Card>
          <h2 className="mb-2 font-semibold">Definition</h2>
          <pre
            className="max-h-80 overflow-auto rounded bg-slate-100 p-3 text-xs dark:bg-slate-800"
            data-testid="definition"
          >
            {JSON.stringify(details.definition, null, 2)}
          </pre>
        </Card>
      )}
      {details.definition && details.info.kind === 'wasm' && <WasmSandbox definition={details.definition} />}
      {wasm && (
        <Card>
          <h2 className="mb-2 font-semibold">
            {wasm.format === 'component'
              ? 'Component: WIT world'
              : `Module: ${wasm.wasi === 'none' ? 'no WASI' : `WASI ${wasm.wasi}`}`}
          </h2>
          <p className="mb-2 font-mono text-xs text-slate-500">
            {wasm.bytes.toLocaleString()} bytes · sha256 {wasm.sha256.slice(0, 16)}…
          </p>
          {wasm.format === 'component' ? (
            <pre
              className="max-h-80 overflow-auto rounded bg-slate-100 p-3 text-xs dark:bg-slate-800"
              data-testid="wit"
            >
              {wasm.wit}
            </pre>
          ) : (
            <div className="grid grid-cols-2 gap-4 text-xs" data-testid="wasm-imports-exports">
              <div>
                <p className="font-medium">Imports ({wasm.imports.length})</p>
                <ul className="font-mono">
                  {wasm.imports.map((i) => (
                    <li key={`${i.module}.${i.name}`}>
                      {i.module}.{i.name} <span className="text-slate-500">{i.kind}</span>
                    </li>
                  ))}
                </ul>
              </div>
              <div>
                <p className="font-medium">Exports ({wasm.exports.length})</p>
                <ul className="font-mono">
                  {wasm.exports.map((e) => (
                    <li key={e.name}>
                      {e.name} <span className="text-slate-500">{e.kind}</span>
                    </li>
                  ))}
                </ul>
              </div>
            </div>
          )}
        </Card>
      )}
    </div>
  )
}

function LogView({ id }: { id: string }) {
  const [lines, setLines] = useState<LogLine[]>([])
  const [follow, setFollow] = useState(true)
  const [query, setQuery] = useState('')
  const box = useRef<HTMLPreElement>(null)
  useEffect(() => {
    api
      .instanceLogs({ id, tail: 500 })
      .then(setLines)
      .catch(() => undefined)
    return onEvent('log', (e) => e.id === id && setLines((l) => [...l.slice(-1999), e.line]))
  }, [id])
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll again whenever new lines arrive
  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight
  }, [lines, follow])
  const shown = query ? lines.filter((l) => l.line.toLowerCase().includes(query.toLowerCase())) : lines
  return (
    <Card className="mt-4">
      <div className="mb-2 flex items-center gap-2">
        <h2 className="font-semibold">Logs</h2>
        <input
          aria-label="Search logs"
          placeholder="Search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          className="ml-auto rounded-md border border-slate-300 px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-800"
        />
        <label className="flex items-center gap-1 text-sm">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow
        </label>
        <Button onClick={() => void navigator.clipboard?.writeText(shown.map((l) => l.line).join('\n'))}>
          Copy
        </Button>
      </div>
      <pre
        ref={box}
        data-testid="logs"
        className="h-72 overflow-auto rounded bg-slate-950 p-3 font-mono text-xs text-slate-100"
      >
        {shown.map((l, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: log lines have no identity of their own
          <div key={i} className={l.stream === 'stderr' ? 'text-red-300' : ''}>
            {l.line}
          </div>
        ))}
      </pre>
    </Card>
  )
}
