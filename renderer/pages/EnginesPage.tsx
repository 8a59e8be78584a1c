import { api } from '../api.ts'
import { Button, Card, ErrorBox, KindBadge, PageTitle } from '../components/ui.tsx'
import { useApi } from '../hooks/useApi.ts'

/** What `worldbench doctor` reports, live from the backend. */
export function EnginesPage() {
  const { data, error, loading, reload } = useApi(() => api.doctor())
  return (
    <div>
      <PageTitle
        actions={
          <Button onClick={() => void reload()} disabled={loading}>
            {loading ? 'Probing…' : 'Probe again'}
          </Button>
        }
      >
        Engines
      </PageTitle>
      {error && <ErrorBox error={error} />}
      {data && (
        <>
          <p className="mb-4 text-sm text-slate-500">
            Worldbench {data.worldbench} · {data.platform}/{data.arch} · Node {data.node} · state in{' '}
            <code>{data.stateDir}</code>
          </p>
          <div className="grid gap-4 md:grid-cols-3">
            {data.engines.map((e) => (
              <Card key={e.kind}>
                <div className="mb-2 flex items-center justify-between" data-testid={`engine-${e.kind}`}>
                  <KindBadge kind={e.kind} />
                  <span
                    className={
                      e.available
                        ? 'text-emerald-600 dark:text-emerald-400'
                        : 'text-red-600 dark:text-red-400'
                    }
                  >
                    {e.available ? 'available' : 'missing'}
                  </span>
                </div>
                <p className="font-medium">{e.engine ?? 'not found'}</p>
                <dl className="mt-2 space-y-1 text-xs">
                  {Object.entries(e.details).map(([k, v]) => (
                    <div key={k} className="flex gap-2">
                      <dt className="text-slate-500">{k}</dt>
                      <dd className="break-all font-mono">{v}</dd>
                    </div>
                  ))}
                </dl>
                {e.warnings.map((w) => (
                  <p
                    key={w}
                    className="mt-2 rounded bg-amber-50 p-2 text-xs text-amber-900 dark:bg-amber-950 dark:text-amber-200"
                  >
                    ⚠ {w}
                  </p>
                ))}
                {e.error && (
                  <div className="mt-2">
                    <ErrorBox error={e.error} />
                  </div>
                )}
                {!e.available && e.install && (
                  <div className="mt-2 text-xs">
                    <p className="font-medium">Install</p>
                    <p>
                      Linux: <code>{e.install.linux}</code>
                    </p>
                    <p>
                      macOS: <code>{e.install.macos}</code>
                    </p>
                    <p>
                      Windows: <code>{e.install.windows}</code>
                    </p>
                  </div>
                )}
              </Card>
            ))}
          </div>
        </>
      )}
    </div>
  )
}
