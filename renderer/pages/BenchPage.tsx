import { useEffect, useMemo, useRef, useState } from 'react'
import type { BenchReport, Kind, ProgressInfo } from '../../contract/api.ts'
import { api, onEvent } from '../api.ts'
import { BenchChart, type BenchChartHandle } from '../components/BenchChart.tsx'
import { StartTimeline } from '../components/StartTimeline.tsx'
import { Button, Card, Empty, ErrorBox, KindBadge, PageTitle } from '../components/ui.tsx'
import { useApi } from '../hooks/useApi.ts'
import { useKinds } from '../hooks/useKinds.ts'
import {
  benchToCsv,
  benchToMarkdown,
  comparison,
  formatValue,
  METRICS,
  spreadNote,
  summaryText,
} from '../lib/bench-format.ts'
import { withTrust } from '../lib/trust.ts'
import { toUiError, type UiError } from '../lib/ui-error.ts'

/** Pick a world and kinds, watch the run, read the results as charts and a table, compare runs. */
export function BenchPage() {
  const worlds = useApi(() => api.listWorlds())
  const history = useApi(() => api.benchList())
  const [world, setWorld] = useState('hello-trio')
  const allKinds = useKinds().map((k) => k.kind)
  const [unchecked, setUnchecked] = useState<Kind[]>([])
  const kinds = allKinds.filter((k) => !unchecked.includes(k))
  const [repeats, setRepeats] = useState(5)
  const [loadSeconds, setLoadSeconds] = useState(5)
  const [density, setDensity] = useState(0)
  const [direct, setDirect] = useState(false)
  const [running, setRunning] = useState(false)
  const [progress, setProgress] = useState<ProgressInfo>()
  const [report, setReport] = useState<BenchReport>()
  const [compare, setCompare] = useState<BenchReport>()
  const [error, setError] = useState<UiError>()

  useEffect(() => onEvent('progress', (p) => p.scope === 'bench' && setProgress(p)), [])

  const run = async () => {
    setRunning(true)
    setError(undefined)
    setProgress(undefined)
    try {
      const r = await withTrust(() =>
        api.benchRun({
          world,
          kinds,
          repeats,
          loadSeconds,
          ...(density >= 2 && { density: { count: density } }),
          ...(direct && { direct: true }),
        }),
      )
      setReport(r)
      setCompare(undefined)
      void history.reload()
    } catch (e) {
      setError(toUiError(e))
    } finally {
      setRunning(false)
    }
  }
  const open = async (id: string, asComparison: boolean) => {
    try {
      const r = await api.benchGet({ id })
      if (asComparison) setCompare(r)
      else setReport(r)
    } catch (e) {
      setError(toUiError(e))
    }
  }

  return (
    <div>
      <PageTitle>Bench</PageTitle>
      <Card className="mb-4">
        <form
          className="flex flex-wrap items-end gap-4"
          onSubmit={(e) => {
            e.preventDefault()
            void run()
          }}
        >
          <label className="text-sm">
            World
            <select
              aria-label="World"
              className="ml-2 rounded-md border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-800"
              value={world}
              onChange={(e) => setWorld(e.target.value)}
            >
              {worlds.data?.map((w) => (
                <option key={w.file} value={w.sample ? w.name : w.file}>
                  {w.name}
                </option>
              ))}
            </select>
          </label>
          <fieldset className="flex gap-3 text-sm">
            <legend className="sr-only">Kinds</legend>
            {allKinds.map((k) => (
              <label key={k} className="flex items-center gap-1">
                <input
                  type="checkbox"
                  checked={kinds.includes(k)}
                  onChange={(e) =>
                    setUnchecked((ks) => (e.target.checked ? ks.filter((x) => x !== k) : [...ks, k]))
                  }
                />
                <KindBadge kind={k} />
              </label>
            ))}
          </fieldset>
          <NumberField label="Repeats" value={repeats} min={1} max={100} onChange={setRepeats} />
          <NumberField label="Load seconds" value={loadSeconds} min={0} max={600} onChange={setLoadSeconds} />
          <NumberField
            label="Density"
            ariaLabel="Density instances"
            title="Also start up to this many instances of each kind (0: off)"
            value={density}
            min={0}
            max={500}
            onChange={setDensity}
          />
          <label
            className="flex items-center gap-1 text-sm"
            title="Also start each kind directly with its engine (docker API, qemu, node:wasi) in the same run, and show Worldbench's overhead"
          >
            <input type="checkbox" checked={direct} onChange={(e) => setDirect(e.target.checked)} />
            Direct baseline
          </label>
          <button
            type="submit"
            disabled={running || kinds.length === 0}
            className="rounded-md bg-indigo-600 px-4 py-1.5 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-50"
          >
            {running ? 'Running…' : 'Run benchmark'}
          </button>
        </form>
        {running && (
          <div className="mt-3" aria-live="polite">
            <div className="h-2 overflow-hidden rounded bg-slate-200 dark:bg-slate-800">
              <div
                className="h-2 bg-indigo-500 transition-all"
                style={{ width: `${progress?.percent ?? 0}%` }}
              />
            </div>
            <p className="mt-1 font-mono text-xs" data-testid="bench-progress">
              {progress?.message ?? 'starting…'}
            </p>
          </div>
        )}
      </Card>
      {error && <ErrorBox error={error} />}
      {report ? (
        <BenchResults report={report} compare={compare} />
      ) : (
        !running && <Empty>No results yet: pick a world and run a benchmark, or open a past run below.</Empty>
      )}
      <Card className="mt-4">
        <h2 className="mb-2 font-semibold">History</h2>
        {history.data?.length === 0 && <p className="text-sm text-slate-500">No saved runs.</p>}
        <ul className="space-y-1 text-sm">
          {history.data?.map((h) => (
            <li key={h.id} className="flex items-center gap-2">
              <span className="font-mono text-xs text-slate-500">
                {new Date(h.createdAt).toLocaleString()}
              </span>
              <span>{h.title}</span>
              <Button onClick={() => void open(h.id, false)}>Open</Button>
              {report && report.id !== h.id && <Button onClick={() => void open(h.id, true)}>Compare</Button>}
            </li>
          ))}
        </ul>
      </Card>
    </div>
  )
}

function BenchResults({ report, compare }: { report: BenchReport; compare?: BenchReport }) {
  const charts = useRef<Record<string, BenchChartHandle | null>>({})
  const kinds = useMemo(() => report.results.map((r) => r.kind), [report])
  const shown = METRICS.filter((m) => report.results.some((r) => r.metrics[m.key]))
  const summaries = useMemo(
    () => Object.fromEntries(METRICS.map((m) => [m.key, report.results.map((r) => r.metrics[m.key])])),
    [report],
  )
  const download = (name: string, href: string) => {
    const a = document.createElement('a')
    a.href = href
    a.download = name
    a.click()
  }
  const text = (name: string, type: string, body: string) =>
    download(name, URL.createObjectURL(new Blob([body], { type })))
  const base = `worldbench-${report.world}-${new Date(report.createdAt).toISOString().slice(0, 19).replaceAll(':', '')}`
  return (
    <div data-testid="bench-results">
      {report.environment.warnings.map((w) => (
        <p
          key={w}
          role="alert"
          className="mb-2 rounded-md border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200"
        >
          ⚠ {w}
        </p>
      ))}
      {report.results
        .filter((r) => r.error)
        .map((r) => (
          <div key={r.kind} className="mb-2">
            <ErrorBox error={{ ...r.error!, message: `${r.kind}: ${r.error!.message}` }} />
          </div>
        ))}
      <div className="mb-3 flex flex-wrap items-center gap-2">
        <h2 className="font-semibold">{report.title}</h2>
        <span className="text-xs text-slate-500">
          {report.options.repeats} repeats + {report.options.warmups} warm-up, interleaved ·{' '}
          {report.environment.host.cpuModel} · {report.environment.host.cores} cores
        </span>
        <span className="ml-auto flex gap-2">
          <Button onClick={() => text(`${base}.json`, 'application/json', JSON.stringify(report, null, 2))}>
            JSON
          </Button>
          <Button onClick={() => text(`${base}.csv`, 'text/csv', benchToCsv(report))}>CSV</Button>
          <Button onClick={() => text(`${base}.md`, 'text/markdown', benchToMarkdown(report))}>
            Markdown
          </Button>
          <Button
            onClick={() => {
              for (const [k, c] of Object.entries(charts.current)) {
                const png = c?.png()
                if (png) download(`${base}-${k}.png`, png)
              }
            }}
          >
            Charts as PNG
          </Button>
        </span>
      </div>
      {report.verdict && report.verdict.lines.length > 0 && (
        <div data-testid="bench-verdict">
          <Card className="mb-4">
            <p className="font-medium">{report.verdict.lines[0]}</p>
            <ul className="mt-1 list-disc pl-5 text-sm text-slate-600 dark:text-slate-300">
              {report.verdict.lines.slice(1).map((l) => (
                <li key={l}>{l}</li>
              ))}
            </ul>
          </Card>
        </div>
      )}
      <div className="grid gap-4 md:grid-cols-2 xl:grid-cols-3">
        {shown.map((m) => (
          <Card key={m.key}>
            <BenchChart
              ref={(h) => {
                charts.current[m.key] = h
              }}
              title={m.label}
              kinds={kinds}
              summaries={summaries[m.key]!}
              format={(v) => formatValue(v, m.unit)}
            />
          </Card>
        ))}
      </div>
      <Card className="mt-4 overflow-x-auto">
        <table className="w-full text-sm" data-testid="bench-table">
          <thead className="text-left text-xs text-slate-500">
            <tr>
              <th className="py-1">Metric</th>
              {report.results.map((r) => (
                <th key={r.kind}>
                  {r.kind} <span className="font-normal">({r.workload})</span>
                </th>
              ))}
              {compare?.results.map((r) => (
                <th key={`c-${r.kind}`} className="text-slate-400">
                  {r.kind}: earlier → now
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((m) => (
              <tr key={m.key} className="border-t border-slate-100 dark:border-slate-800">
                <td className="py-1">
                  {m.label}
                  {m.higherIsBetter ? ' ↑' : ' ↓'}
                </td>
                {report.results.map((r) => {
                  const s = r.metrics[m.key]
                  const failed = r.metricErrors?.[m.key]
                  return (
                    <td
                      key={r.kind}
                      className="font-mono text-xs"
                      title={
                        s
                          ? spreadNote(s, m.unit)
                          : failed
                            ? `${failed.message} ${failed.hint ?? ''}`
                            : undefined
                      }
                    >
                      {s ? summaryText(s, m.unit) : failed ? 'error' : '–'}
                    </td>
                  )
                })}
                {compare?.results.map((r) => {
                  const s = r.metrics[m.key]
                  const now = report.results.find((x) => x.kind === r.kind)?.metrics[m.key]
                  const c = s && now ? comparison(now.median, s.median, m.higherIsBetter) : undefined
                  return (
                    <td
                      key={`c-${r.kind}`}
                      className="font-mono text-xs"
                      title={s ? `earlier: ${summaryText(s, m.unit)}` : undefined}
                    >
                      <span className="text-slate-400">{s ? formatValue(s.median, m.unit) : '–'}</span>
                      {c && c.text !== '–' && (
                        <span
                          className={
                            c.better === undefined
                              ? ' text-slate-500'
                              : c.better
                                ? ' text-emerald-600'
                                : ' text-rose-600'
                          }
                        >
                          {' '}
                          {c.text}
                        </span>
                      )}
                    </td>
                  )
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
      <StartTimelines report={report} />
      <CostDetails report={report} />
      {report.results.some((r) => r.density) && <DensityResults report={report} />}
    </div>
  )
}

/** Where each kind's cold start goes: median phases, request → first response, on one scale. */
function StartTimelines({ report }: { report: BenchReport }) {
  const timed = report.results.filter((r) => r.timeline?.length)
  if (timed.length === 0) return null
  const longest = Math.max(...timed.map((r) => r.timeline!.reduce((a, p) => a + p.ms, 0)))
  return (
    <div data-testid="bench-start-timelines">
      <Card className="mt-4 text-sm">
        <h3 className="mb-2 font-semibold">Where the cold start goes</h3>
        <ul className="space-y-2">
          {timed.map((r) => (
            <li key={r.kind} className="grid grid-cols-[6rem_1fr] items-start gap-2">
              <div>
                <KindBadge kind={r.kind} />
              </div>
              <StartTimeline phases={r.timeline!} scaleMs={longest} />
            </li>
          ))}
        </ul>
      </Card>
    </div>
  )
}

/** What each kind's memory is made of, Worldbench's overhead against the engine alone, shared daemons. */
function CostDetails({ report }: { report: BenchReport }) {
  const withParts = report.results.filter((r) => r.breakdown?.idle.length)
  const direct = report.results.filter((r) => r.direct)
  if (withParts.length === 0 && direct.length === 0 && !report.engineOverhead?.length) return null
  return (
    <div data-testid="bench-costs">
      <Card className="mt-4 text-sm">
        <h3 className="mb-1 font-semibold">Full cost</h3>
        <ul className="space-y-1">
          {withParts.map((r) => (
            <li key={r.kind}>
              <KindBadge kind={r.kind} /> idle memory ={' '}
              {r.breakdown!.idle.map((p, n) => (
                <span
                  key={`${p.name}${p.pid ?? ''}`}
                  title={`${p.pid ? `pid ${p.pid}; ` : ''}${p.rssBytes !== undefined ? `RSS ${formatValue(p.rssBytes, 'bytes')}; ` : ''}${p.pssBytes !== undefined ? `PSS ${formatValue(p.pssBytes, 'bytes')}; ` : ''}CPU under load ${(r.breakdown!.loadCpuPercentByPart[p.name] ?? 0).toFixed(1)}%`}
                >
                  {n > 0 && ' + '}
                  {p.name} {formatValue(p.memoryBytes, 'bytes')}
                </span>
              ))}
            </li>
          ))}
          {direct.map((r) => (
            <li key={`d-${r.kind}`}>
              <KindBadge kind={r.kind} /> Worldbench overhead: first response{' '}
              {formatValue(r.metrics.firstResponseMs!.median, 'ms')} vs{' '}
              {formatValue(r.direct!.firstResponseMs.median, 'ms')} started directly ={' '}
              <b>{r.direct!.overhead.toFixed(2)}×</b>
            </li>
          ))}
          {report.engineOverhead?.map((e) => (
            <li key={`e-${e.kind}`} className="text-slate-500">
              {e.kind} engine overhead (shared, in no workload):{' '}
              {e.parts.map((p) => `${p.name} ${formatValue(p.memoryBytes, 'bytes')}`).join(', ')}
            </li>
          ))}
        </ul>
      </Card>
    </div>
  )
}

/** How many of each kind fit, and what one more instance costs in host memory. */
function DensityResults({ report }: { report: BenchReport }) {
  const dense = report.results.filter((r) => r.density)
  const kinds = useMemo(() => dense.map((r) => r.kind), [dense])
  const summaries = useMemo(
    () =>
      dense.map((r) => {
        const m = r.density!.marginalMemoryBytes
        return {
          median: m,
          p95: m,
          min: m,
          max: m,
          ci95: [m, m] as [number, number],
          ciCoverage: 0,
          noisy: false,
          samples: [m],
        }
      }),
    [dense],
  )
  return (
    <div className="mt-4 grid gap-4 md:grid-cols-2" data-testid="density">
      <Card>
        <BenchChart
          title="Memory per extra instance"
          kinds={kinds}
          summaries={summaries}
          format={(v) => formatValue(v, 'bytes')}
        />
      </Card>
      <Card>
        <table className="w-full text-sm">
          <thead className="text-left text-xs text-slate-500">
            <tr>
              <th>Kind</th>
              <th>Started</th>
              <th>Stopped because</th>
              <th>Memory of all</th>
              <th>One more costs</th>
            </tr>
          </thead>
          <tbody>
            {dense.map((r) => (
              <tr key={r.kind} className="border-t border-slate-100 dark:border-slate-800">
                <td className="py-1">{r.kind}</td>
                <td>{r.density!.started}</td>
                <td>{r.density!.stoppedBecause}</td>
                <td className="font-mono text-xs">
                  {formatValue(r.density!.totalMemoryBytes.at(-1) ?? Number.NaN, 'bytes')}
                </td>
                <td className="font-mono text-xs">{formatValue(r.density!.marginalMemoryBytes, 'bytes')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </div>
  )
}

function NumberField({
  label,
  ariaLabel = label,
  title,
  value,
  min,
  max,
  onChange,
}: {
  label: string
  ariaLabel?: string
  title?: string
  value: number
  min: number
  max: number
  onChange: (v: number) => void
}) {
  return (
    <label className="text-sm">
      {label}{' '}
      <input
        aria-label={ariaLabel}
        title={title}
        type="number"
        min={min}
        max={max}
        value={value}
        onChange={(e) => onChange(Number(e.target.value))}
        className="ml-1 w-16 rounded-md border border-slate-300 px-2 py-1 dark:border-slate-700 dark:bg-slate-800"
      />
    </label>
  )
}
