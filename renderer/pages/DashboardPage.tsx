import { memo, useMemo, useState } from 'react'
import type { InstanceInfo, Kind, Sample } from '../../contract/api.ts'
import { InstanceActions } from '../components/InstanceActions.tsx'
import { LiveText } from '../components/LiveText.tsx'
import { MetricHelp } from '../components/MetricHelp.tsx'
import { Sparkline } from '../components/Sparkline.tsx'
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
import { href } from '../hooks/useHashRoute.ts'
import { useKinds } from '../hooks/useKinds.ts'
import { samples, useLiveInstances } from '../hooks/useLiveInstances.ts'

/** Everything running, across the three kinds, with what each costs, live. */
export function DashboardPage() {
  const live = useLiveInstances()
  const kinds = useKinds()
  const [kindFilter, setKindFilter] = useState<Kind | 'all'>('all')
  const [worldFilter, setWorldFilter] = useState('all')
  const worldNames = useMemo(() => [...new Set(live.instances.map((i) => i.world))].sort(), [live.instances])
  const shown = live.instances.filter(
    (i) =>
      (kindFilter === 'all' || i.kind === kindFilter) && (worldFilter === 'all' || i.world === worldFilter),
  )
  const byWorld = useMemo(() => groupBy(shown, (i) => i.world), [shown])
  const running = live.instances.some((i) => !i.external && i.state !== 'stopped')

  return (
    <div>
      <PageTitle
        actions={
          <>
            <select
              aria-label="Filter by world"
              className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-800"
              value={worldFilter}
              onChange={(e) => setWorldFilter(e.target.value)}
            >
              <option value="all">All worlds</option>
              {worldNames.map((w) => (
                <option key={w} value={w}>
                  {w === 'external' ? 'external containers' : w}
                </option>
              ))}
            </select>
            <select
              aria-label="Filter by kind"
              className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-800"
              value={kindFilter}
              onChange={(e) => setKindFilter(e.target.value as Kind | 'all')}
            >
              <option value="all">All kinds</option>
              {kinds.map(({ kind }) => (
                <option key={kind} value={kind}>
                  {kind}
                </option>
              ))}
            </select>
          </>
        }
      >
        Dashboard
      </PageTitle>
      {live.error && <ErrorBox error={live.error} />}
      <Summary instances={live.instances} />
      {!running ? (
        <Empty>
          Nothing running: launch a sample world from{' '}
          <a className="text-indigo-600 underline" href={href('worlds')}>
            Worlds
          </a>
          .
        </Empty>
      ) : (
        !shown.some((i) => !i.external && i.state !== 'stopped') && (
          <Empty>
            No {kindFilter === 'all' ? '' : `${kindFilter} `}instance is running
            {worldFilter === 'all' ? '' : ` in ${worldFilter}`}.{' '}
            <button
              type="button"
              className="text-indigo-600 underline"
              onClick={() => {
                setKindFilter('all')
                setWorldFilter('all')
              }}
            >
              Show everything
            </button>
          </Empty>
        )
      )}
      {Object.entries(byWorld).map(([world, instances]) => (
        <Card key={world} className="mb-4 mt-4 [contain:content]">
          <h2 className="mb-2 font-semibold">
            {world === 'external' ? 'External containers (not started by Worldbench)' : world}
          </h2>
          <div className="overflow-x-auto">
            <table className="w-full text-sm">
              <thead className="text-left text-xs text-slate-500">
                <tr>
                  <th className="py-1">Workload</th>
                  <th>Kind</th>
                  <th>State</th>
                  <th className="hidden lg:table-cell">URL</th>
                  <th>
                    <MetricHelp metric="cpu" />
                  </th>
                  <th>
                    <MetricHelp metric="memory" />
                  </th>
                  <th>
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {instances.map((i) => (
                  <InstanceRow key={i.id} instance={i} />
                ))}
              </tbody>
            </table>
          </div>
        </Card>
      ))}
    </div>
  )
}

/**
 * Memoised: a row renders again only when its instance changes state. Its numbers and
 * sparklines subscribe to the sample store themselves, so a tick touches only them.
 */
const InstanceRow = memo(function InstanceRow({ instance: i }: { instance: InstanceInfo }) {
  const cpu = samples.seriesOf(i.id, 'cpu')
  const memory = samples.seriesOf(i.id, 'memory')
  return (
    <tr
      className={`border-t border-slate-100 dark:border-slate-800 ${i.state === 'stopped' ? 'opacity-60' : ''}`}
      data-testid={`instance-row-${i.workload}`}
      data-state={i.state}
    >
      <td className="py-1.5">
        {i.external ? (
          <span className="font-medium">{i.workload}</span>
        ) : (
          <a
            className="font-medium text-indigo-600 hover:underline dark:text-indigo-400"
            href={href('instance', i.id)}
          >
            {i.workload}
          </a>
        )}
      </td>
      <td>
        <KindBadge kind={i.kind} />
      </td>
      <td>
        <StateBadge state={i.state} />
      </td>
      <td className="hidden lg:table-cell">
        {i.ports[0] && i.state !== 'stopped' ? (
          <UrlLink url={i.ports[0].url} className="font-mono text-xs" />
        ) : (
          '–'
        )}
      </td>
      <td>
        <div className="flex items-center gap-2">
          <span className="hidden xl:inline">
            <Sparkline series={cpu} floor={SPARK_FLOOR.cpu} />
          </span>
          <span className="h-4 w-14 text-right font-mono text-xs [contain:size_layout]">
            <LiveText subscribe={cpu.subscribe} text={() => cpuText(samples.last(i.id))} />
          </span>
        </div>
      </td>
      <td>
        <div className="flex items-center gap-2">
          <span className="hidden xl:inline">
            <Sparkline series={memory} color="#0ea5e9" floor={SPARK_FLOOR.memory} />
          </span>
          <span className="h-4 w-20 text-right font-mono text-xs [contain:size_layout]" data-testid="memory">
            <LiveText subscribe={memory.subscribe} text={() => memoryText(samples.last(i.id))} />
          </span>
        </div>
      </td>
      <td className="text-right">
        {i.external ? (
          <span className="text-xs text-slate-500">{i.image}</span>
        ) : (
          <InstanceActions instance={i} />
        )}
      </td>
    </tr>
  )
})

/** Sparkline scales start at these tops, so 0.1% of noise draws as the flat line it is, not a spike. */
const SPARK_FLOOR = { cpu: 5, memory: 16 * 1024 * 1024 }

const cpuText = (s: Sample | undefined) => (s ? `${s.cpuPercent.toFixed(1)}%` : '–')
const memoryText = (s: Sample | undefined) => (s ? formatBytes(s.memoryBytes) : '–')
const subscribeTick = (listener: () => void) => samples.onTick(listener)

/**
 * The per-kind and host summary. It renders when the instance list changes; its numbers follow
 * the ticks through LiveText, so a tick re-renders nothing.
 */
function Summary({ instances }: { instances: InstanceInfo[] }) {
  const kinds = useKinds()
  const lastOf = (i: InstanceInfo) => samples.tick?.instances[i.id] ?? samples.last(i.id)
  const host = () => samples.tick?.host
  return (
    <div className="mb-4 grid gap-4 md:grid-cols-4">
      {kinds.map(({ kind: k }) => {
        const of = instances.filter((i) => i.kind === k && i.state === 'running' && !i.external)
        return (
          <Card key={k}>
            <div className="flex items-center justify-between" data-testid={`summary-${k}`}>
              <KindBadge kind={k} />
              <span className="text-2xl font-semibold">{of.length}</span>
            </div>
            <p className="mt-1 text-xs text-slate-500">
              <LiveText
                subscribe={subscribeTick}
                text={() =>
                  `CPU ${sum(of, (i) => lastOf(i)?.cpuPercent).toFixed(1)}% · memory ${formatBytes(
                    sum(of, (i) => lastOf(i)?.memoryBytes),
                  )}`
                }
              />
            </p>
          </Card>
        )
      })}
      <Card>
        <p className="text-xs text-slate-500">
          <MetricHelp metric="host" />
        </p>
        <p className="text-sm">
          <LiveText
            subscribe={subscribeTick}
            text={() => {
              const h = host()
              return h
                ? `CPU ${h.cpuPercent.toFixed(0)}% · memory ${formatBytes(h.memoryUsedBytes)} / ${formatBytes(h.memoryTotalBytes)}`
                : 'CPU – · memory –'
            }}
          />
        </p>
        <p className="flex gap-1 text-xs text-slate-500">
          <MetricHelp metric="sampler" />
          <LiveText
            subscribe={subscribeTick}
            text={() => `: ${samples.tick ? `${samples.tick.samplerCpuPercent.toFixed(2)}% of a core` : '–'}`}
          />
        </p>
      </Card>
    </div>
  )
}

function groupBy<T>(items: T[], key: (t: T) => string): Record<string, T[]> {
  const out: Record<string, T[]> = {}
  for (const item of items) {
    const k = key(item)
    out[k] = [...(out[k] ?? []), item]
  }
  return out
}

function sum<T>(items: T[], f: (t: T) => number | undefined): number {
  return items.reduce((a, t) => a + (f(t) ?? 0), 0)
}
