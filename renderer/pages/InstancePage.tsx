import { useEffect, useMemo, useState } from 'react'
import type { InstanceDetails, Sample } from '../../contract/api.ts'
import { api, onEvent } from '../api.ts'
import { InstanceActions } from '../components/InstanceActions.tsx'
import { LogView } from '../components/LogView.tsx'
import { StartTimelineCard } from '../components/StartTimeline.tsx'
import { TerminalPanel } from '../components/TerminalPanel.tsx'
import { TimeChart } from '../components/TimeChart.tsx'
import {
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
import { useKinds } from '../hooks/useKinds.ts'
import { useLastSample, useLiveInstances, useSampleHistory } from '../hooks/useLiveInstances.ts'
import { notMeasuredReason } from '../lib/metric-help.ts'
import { toUiError, type UiError } from '../lib/ui-error.ts'

/** One instance: CPU, memory and network over time, its logs, and its definition; kept once stopped. */
export function InstancePage({ id }: { id: string }) {
  const live = useLiveInstances()
  const kinds = useKinds()
  const last = useLastSample(id)
  const listed = live.instances.find((i) => i.id === id)
  const [details, setDetails] = useState<InstanceDetails>()
  const [missing, setMissing] = useState<UiError>()
  const history = useSampleHistory(id)

  useEffect(() => {
    setDetails(undefined)
    setMissing(undefined)
    api
      .instanceDetails({ id })
      .then(setDetails)
      .catch((e: unknown) => setMissing(toUiError(e)))
    return onEvent('instanceForgotten', (e) => {
      if (e.id !== id) return
      setDetails(undefined)
      setMissing({ message: 'This instance was removed.' })
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
      { label: 'PSS', values: history.map((s) => s.pssBytes ?? null), color: '#14b8a6' },
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

  const instance = missing ? undefined : (listed ?? details?.info)
  if (!instance) {
    return missing ? (
      <Empty>
        {missing.message} Back to the{' '}
        <a className="text-indigo-600 underline" href={href('dashboard')}>
          Dashboard
        </a>
        .
      </Empty>
    ) : (
      <p className="text-sm text-slate-500">Loading…</p>
    )
  }
  const stopped = instance.state === 'stopped'
  return (
    <div>
      <PageTitle
        actions={
          instance.external ? undefined : (
            <InstanceActions
              instance={instance}
              onStarted={(next) => {
                window.location.hash = href('instance', next.id)
              }}
            />
          )
        }
      >
        <span className="flex flex-wrap items-center gap-2">
          {instance.workload} <KindBadge kind={instance.kind} />{' '}
          <span data-testid="instance-state">
            <StateBadge state={instance.state} />
          </span>
        </span>
      </PageTitle>
      {instance.reason && <ErrorBox error={{ message: instance.reason }} />}
      <p className="mb-4 text-sm text-slate-500">
        World{' '}
        <a className="hover:underline" href={href('world', instance.world)}>
          {instance.world}
        </a>{' '}
        ·{' '}
        {stopped
          ? 'stopped: its logs are kept until you remove it'
          : instance.ports.map((p) => <UrlLink key={p.url} url={p.url} className="mr-2" />)}
        {!stopped && (
          <>
            {' '}
            · memory now {formatBytes(last?.memoryBytes ?? instance.last?.memoryBytes)}
            <HostShare sample={last ?? instance.last} />
          </>
        )}
      </p>
      <StartTimelineCard phases={instance.timeline} />
      <div className="grid gap-4 xl:grid-cols-3">
        <Card>
          <TimeChart title="CPU" metric="cpu" times={times} series={cpu} format={(v) => `${v.toFixed(1)}%`} />
        </Card>
        <Card>
          <TimeChart
            title="Memory"
            metric="memory"
            times={times}
            series={mem}
            format={formatBytes}
            minTop={1 << 20}
          />
        </Card>
        <Card>
          <TimeChart
            title="Network"
            metric="network"
            times={times}
            series={net}
            format={formatBytes}
            minTop={1 << 20}
            notMeasured={notMeasuredReason(
              'network',
              kinds.find((k) => k.kind === instance.kind),
            )}
          />
        </Card>
      </div>
      {!instance.external && <TerminalPanel instance={instance} />}
      <LogView id={id} workload={instance.workload} />
      {details && <Details details={details} />}
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
function Details({ details }: { details: InstanceDetails }) {
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
