import { lazy, Suspense, useEffect, useState, useSyncExternalStore } from 'react'
import type { ProgressInfo, WorldStatus, WorldSummary } from '../../contract/api.ts'
import { api, onEvent } from '../api.ts'
import {
  Button,
  Card,
  Empty,
  ErrorBox,
  KindBadge,
  PageTitle,
  StateBadge,
  UrlLink,
} from '../components/ui.tsx'
import { href } from '../hooks/useHashRoute.ts'
import { useLiveInstances } from '../hooks/useLiveInstances.ts'
import { activityStore } from '../lib/activity.ts'
import { issueText } from '../lib/editor/issue-diagnostics.ts'
import { act, toast } from '../lib/toasts.ts'
import { withTrust } from '../lib/trust.ts'
import { toUiError, type UiError } from '../lib/ui-error.ts'
import { worldActions, worldState } from '../lib/world-state.ts'
import { worldsStore } from '../lib/worlds.ts'

// CodeMirror is loaded when a file is picked, not with every page.
const WorldEditor = lazy(() =>
  import('../components/WorldEditor.tsx').then((m) => ({ default: m.WorldEditor })),
)

/** Adds a world file from disk (a path on the machine that runs Worldbench) after checking it. */
function OpenWorldForm({ onAdded }: { onAdded: () => void }) {
  const [file, setFile] = useState('')
  const [error, setError] = useState<UiError>()
  const [issues, setIssues] = useState<string[]>([])
  const [picked, setPicked] = useState<{ name: string; text: string }>()
  const submit = async () => {
    setError(undefined)
    setIssues([])
    try {
      const result = await api.validateWorld({ file })
      if (!result.ok) {
        setIssues(
          result.issues.map(
            (i) => `${i.line !== undefined ? `line ${i.line}:${i.column} ` : ''}${issueText(i)}`,
          ),
        )
        return
      }
      await api.addWorld({ file })
      setFile('')
      onAdded()
    } catch (e) {
      setError(toUiError(e))
    }
  }
  return (
    <Card className="mb-4">
      <form
        className="flex flex-wrap items-center gap-2"
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
        <label className="cursor-pointer rounded-md border border-slate-300 bg-white px-3 py-1 text-sm hover:bg-slate-100 focus-within:ring-2 focus-within:ring-indigo-500 dark:border-slate-700 dark:bg-slate-800">
          Pick a file…
          <input
            type="file"
            accept=".yaml,.yml"
            aria-label="Pick a world file"
            className="sr-only"
            onChange={(e) => {
              const f = e.target.files?.[0]
              if (f) void f.text().then((text) => setPicked({ name: f.name, text }))
              e.target.value = ''
            }}
          />
        </label>
      </form>
      {picked && (
        <Suspense fallback={<p className="mt-3 text-xs text-slate-500">Opening the editor…</p>}>
          <WorldEditor
            key={`${picked.name}:${picked.text.length}`}
            name={picked.name}
            initial={picked.text}
            onDone={() => {
              setPicked(undefined)
              onAdded()
            }}
          />
        </Suspense>
      )}
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

/** The sample gallery and the worlds launched before, with their live state in every tab. */
export function WorldsPage() {
  const worlds = useSyncExternalStore(worldsStore.subscribe, worldsStore.get)
  const error = useSyncExternalStore(worldsStore.subscribe, worldsStore.error)
  const activity = useSyncExternalStore(activityStore.subscribe, activityStore.get)
  const live = useLiveInstances()
  const [progress, setProgress] = useState<Record<string, ProgressInfo[]>>({})
  const [failures, setFailures] = useState<Record<string, WorldStatus['failed']>>({})

  // Progress of any launch, whichever tab started it; the list is cleared when a new one starts.
  useEffect(
    () =>
      onEvent('progress', (p) => {
        const world = p.scope.split('/')[0]!
        setProgress((all) => ({
          ...all,
          [world]: [...(all[world] ?? []).filter((x) => x.scope !== p.scope), p],
        }))
      }),
    [],
  )

  const launch = async (w: WorldSummary) => {
    setProgress((all) => ({ ...all, [w.name]: [] }))
    setFailures((all) => ({ ...all, [w.name]: [] }))
    const status = await act(`Started ${w.name}`, () => withTrust(() => api.worldUp({ world: w.file })))
    if (status && status.failed.length > 0) {
      setFailures((all) => ({ ...all, [w.name]: status.failed }))
      toast(
        'error',
        `${w.name}: ${status.failed.length} workload(s) did not start`,
        status.failed[0]!.error.message,
      )
    }
    void worldsStore.refresh()
  }
  const stop = async (w: WorldSummary) => {
    await act(`Stopped ${w.name}`, () => api.worldDown({ world: w.name }))
    setProgress((all) => ({ ...all, [w.name]: [] }))
    void worldsStore.refresh()
  }
  const stateOf = (w: WorldSummary) => worldState(w, live.instances, activity)
  const stoppable = worlds?.filter((w) => worldActions(stateOf(w)).stop) ?? []

  return (
    <div>
      <PageTitle
        actions={
          <Button
            variant="danger"
            disabled={stoppable.length === 0}
            onClick={() => void Promise.all(stoppable.map((w) => stop(w)))}
            label="Stop all worlds"
          >
            Stop all
          </Button>
        }
      >
        Worlds
      </PageTitle>
      <OpenWorldForm onAdded={() => void worldsStore.refresh()} />
      {error && <ErrorBox error={error} />}
      {worlds?.length === 0 && <Empty>No worlds found. Sample worlds live in resources/worlds/.</Empty>}
      <div className="grid gap-4 lg:grid-cols-2">
        {worlds?.map((w) => {
          const state = stateOf(w)
          const can = worldActions(state)
          const instances = live.instances.filter((i) => i.world === w.name && !i.external)
          const steps = state === 'starting' ? (progress[w.name] ?? []) : []
          return (
            <Card key={w.file}>
              <div
                className="flex flex-wrap items-start justify-between gap-2"
                data-testid={`world-${w.name}`}
              >
                <div className="min-w-0">
                  <h2 className="font-semibold">
                    <a className="hover:underline" href={href('world', w.name)}>
                      {w.name}
                    </a>
                    {w.sample && <span className="ml-1 text-xs font-normal text-slate-500">sample</span>}
                  </h2>
                  {!w.sample && <p className="break-all font-mono text-xs text-slate-500">{w.file}</p>}
                  <p className="text-sm text-slate-600 dark:text-slate-400">{w.description}</p>
                  {w.broken && (
                    <pre
                      className="mt-1 whitespace-pre-wrap text-xs text-red-700 dark:text-red-400"
                      data-testid="world-broken"
                    >
                      {w.broken}
                    </pre>
                  )}
                  <div className="mt-2 flex items-center gap-1">
                    {w.kinds.map((k) => (
                      <KindBadge key={k} kind={k} />
                    ))}
                    <span className="ml-2" data-testid={`world-state-${w.name}`}>
                      <StateBadge state={state} />
                    </span>
                  </div>
                </div>
                <div className="flex gap-2">
                  <Button
                    variant="primary"
                    disabled={!can.launch}
                    onClick={() => void launch(w)}
                    label={`Launch ${w.name}`}
                  >
                    {state === 'starting' ? 'Starting…' : 'Launch'}
                  </Button>
                  <Button
                    variant="danger"
                    disabled={!can.stop}
                    onClick={() => void stop(w)}
                    label={`Stop ${w.name}`}
                  >
                    {state === 'stopping' ? 'Stopping…' : state === 'starting' ? 'Cancel' : 'Stop'}
                  </Button>
                </div>
              </div>
              {steps.length > 0 && (
                <ul
                  className="mt-3 space-y-1 text-xs"
                  aria-live="polite"
                  data-testid={`world-progress-${w.name}`}
                >
                  {steps.map((p) => (
                    <li key={p.scope} className="break-words font-mono">
                      {p.scope.split('/')[1]}: {p.step}
                      {p.percent !== undefined ? ` ${Math.round(p.percent)}%` : ''} {p.message}
                    </li>
                  ))}
                </ul>
              )}
              {instances.length > 0 && (
                <ul className="mt-3 space-y-1 text-sm" data-testid={`world-status-${w.name}`}>
                  {instances.map((i) => (
                    <li
                      key={i.id}
                      className={`flex flex-wrap items-center gap-2 ${i.state === 'stopped' ? 'opacity-60' : ''}`}
                    >
                      <KindBadge kind={i.kind} />
                      <a className="hover:underline" href={href('instance', i.id)}>
                        {i.workload}
                      </a>
                      <StateBadge state={i.state} />
                      {i.state === 'running' && i.ports[0] && <UrlLink url={i.ports[0].url} />}
                    </li>
                  ))}
                </ul>
              )}
              {(failures[w.name] ?? []).map((f) => (
                <div key={f.workload} className="mt-3">
                  <ErrorBox error={{ ...f.error, message: `${f.workload}: ${f.error.message}` }} />
                </div>
              ))}
            </Card>
          )
        })}
      </div>
    </div>
  )
}
