import { useEffect, useState } from 'react'
import type { ProgressInfo, WorldStatus } from '../../preload/api.ts'
import { api, onEvent } from '../api.ts'
import { Button, Card, Empty, ErrorBox, KindBadge, PageTitle, UrlLink } from '../components/ui.tsx'
import { useApi } from '../hooks/useApi.ts'
import { href } from '../hooks/useHashRoute.ts'
import { withTrust } from '../lib/trust.ts'

/** Adds a world file from disk (a path on the machine that runs Worldbench) after checking it. */
function OpenWorldForm({ onAdded }: { onAdded: () => void }) {
  const [file, setFile] = useState('')
  const [error, setError] = useState<{ message: string; hint?: string }>()
  const [issues, setIssues] = useState<string[]>([])
  const submit = async () => {
    setError(undefined)
    setIssues([])
    try {
      const result = await api.validateWorld({ file })
      if (!result.ok) {
        setIssues(
          result.issues.map(
            (i) =>
              `${i.line !== undefined ? `line ${i.line}:${i.column} ` : ''}${i.path ? `${i.path}: ` : ''}${i.message}`,
          ),
        )
        return
      }
      await api.addWorld({ file })
      setFile('')
      onAdded()
    } catch (e) {
      setError(e as { message: string; hint?: string })
    }
  }
  return (
    <Card className="mb-4">
      <form
        className="flex items-center gap-2"
        onSubmit={(e) => {
          e.preventDefault()
          void submit()
        }}
      >
        <label htmlFor="world-file" className="text-sm font-medium">
          Open a world file
        </label>
        <input
          id="world-file"
          value={file}
          onChange={(e) => setFile(e.target.value)}
          placeholder="/path/to/world.yaml"
          className="flex-1 rounded-md border border-slate-300 px-2 py-1 font-mono text-sm dark:border-slate-700 dark:bg-slate-800"
        />
        <Button type="submit" variant="primary" disabled={!file}>
          Open
        </Button>
      </form>
      {issues.length > 0 && (
        <ul
          role="alert"
          className="mt-2 list-disc pl-5 text-sm text-red-700 dark:text-red-300"
          data-testid="world-issues"
        >
          {issues.map((i) => (
            <li key={i} className="font-mono text-xs">
              {i}
            </li>
          ))}
        </ul>
      )}
      {error && (
        <div className="mt-2">
          <ErrorBox error={error} />
        </div>
      )}
    </Card>
  )
}

type Launch = {
  busy: boolean
  progress: ProgressInfo[]
  status?: WorldStatus
  error?: { message: string; hint?: string }
}

/** The sample gallery and the worlds launched before: one click to launch or stop. */
export function WorldsPage() {
  const { data: worlds, error, reload } = useApi(() => api.listWorlds())
  const [launches, setLaunches] = useState<Record<string, Launch>>({})
  const update = (name: string, patch: Partial<Launch>) =>
    setLaunches((all) => ({ ...all, [name]: { busy: false, progress: [], ...all[name], ...patch } }))

  useEffect(
    () =>
      onEvent('progress', (p) => {
        const world = p.scope.split('/')[0]!
        setLaunches((all) => {
          const cur = all[world]
          if (!cur?.busy) return all
          return {
            ...all,
            [world]: { ...cur, progress: [...cur.progress.filter((x) => x.scope !== p.scope), p] },
          }
        })
      }),
    [],
  )

  const launch = async (name: string, file: string) => {
    update(name, { busy: true, progress: [], error: undefined, status: undefined })
    try {
      const status = await withTrust(() => api.worldUp({ world: file }))
      update(name, { busy: false, status })
    } catch (err) {
      const e = err as { message: string; hint?: string }
      update(name, {
        busy: false,
        error: { message: e.message, ...(e.hint !== undefined && { hint: e.hint }) },
      })
    }
    void reload()
  }
  const stop = async (name: string, file: string) => {
    update(name, { busy: true })
    try {
      await api.worldDown({ world: file })
      update(name, { busy: false, status: undefined, progress: [] })
    } catch (err) {
      update(name, { busy: false, error: err as { message: string } })
    }
    void reload()
  }

  const stopAll = async () => {
    for (const w of worlds?.filter((x) => x.desired === 'up') ?? []) await stop(w.name, w.file)
  }

  return (
    <div>
      <PageTitle
        actions={
          <Button variant="danger" onClick={() => void stopAll()} label="Stop all worlds">
            Stop all
          </Button>
        }
      >
        Worlds
      </PageTitle>
      <OpenWorldForm onAdded={() => void reload()} />
      {error && <ErrorBox error={error} />}
      {worlds?.length === 0 && <Empty>No worlds found. Sample worlds live in resources/worlds/.</Empty>}
      <div className="grid gap-4 lg:grid-cols-2">
        {worlds?.map((w) => {
          const l = launches[w.name]
          return (
            <Card key={w.file}>
              <div className="flex items-start justify-between gap-2" data-testid={`world-${w.name}`}>
                <div>
                  <h2 className="font-semibold">
                    <a className="hover:underline" href={href('world', w.name)}>
                      {w.name}
                    </a>
                    {w.sample && <span className="ml-1 text-xs font-normal text-slate-500">sample</span>}
                  </h2>
                  {!w.sample && <p className="font-mono text-xs text-slate-500">{w.file}</p>}
                  <p className="text-sm text-slate-600 dark:text-slate-400">{w.description}</p>
                  {w.broken && (
                    <pre
                      className="mt-1 whitespace-pre-wrap text-xs text-red-700 dark:text-red-400"
                      data-testid="world-broken"
                    >
                      {w.broken}
                    </pre>
                  )}
                  <div className="mt-2 flex gap-1">
                    {w.kinds.map((k) => (
                      <KindBadge key={k} kind={k} />
                    ))}
                  </div>
                </div>
                <div className="flex gap-2">
                  <Button
                    variant="primary"
                    disabled={l?.busy}
                    onClick={() => void launch(w.name, w.file)}
                    label={`Launch ${w.name}`}
                  >
                    {l?.busy ? 'Working…' : 'Launch'}
                  </Button>
                  <Button
                    variant="danger"
                    disabled={l?.busy}
                    onClick={() => void stop(w.name, w.file)}
                    label={`Stop ${w.name}`}
                  >
                    Stop
                  </Button>
                </div>
              </div>
              {l?.progress.length ? (
                <ul className="mt-3 space-y-1 text-xs" aria-live="polite">
                  {l.progress.map((p) => (
                    <li key={p.scope} className="font-mono">
                      {p.scope.split('/')[1]}: {p.step}
                      {p.percent !== undefined ? ` ${Math.round(p.percent)}%` : ''} {p.message}
                    </li>
                  ))}
                </ul>
              ) : null}
              {l?.status && (
                <ul className="mt-3 space-y-1 text-sm" data-testid={`world-status-${w.name}`}>
                  {l.status.instances.map((i) => (
                    <li key={i.id} className="flex items-center gap-2">
                      <KindBadge kind={i.kind} /> {i.workload}{' '}
                      <span className="text-emerald-600">{i.state}</span>
                      {i.ports[0] && <UrlLink url={i.ports[0].url} />}
                    </li>
                  ))}
                  {l.status.failed.map((f) => (
                    <li key={f.workload}>
                      <ErrorBox
                        error={{
                          message: `${f.workload}: ${f.error.message}`,
                          ...(f.error.hint !== undefined && { hint: f.error.hint }),
                        }}
                      />
                    </li>
                  ))}
                </ul>
              )}
              {l?.error && (
                <div className="mt-3">
                  <ErrorBox error={l.error} />
                </div>
              )}
            </Card>
          )
        })}
      </div>
    </div>
  )
}
