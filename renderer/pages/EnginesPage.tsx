import { useState } from 'react'
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
      <EngineSettings onSaved={() => void reload()} />
    </div>
  )
}

/** `picked`: a program or socket, chosen only in the desktop app (file dialog + confirmation). */
const ENGINE_SETTINGS = [
  {
    key: 'container.socket',
    label: 'Container engine socket',
    placeholder: 'found like the Docker CLI does (DOCKER_HOST, context, default sockets)',
    picked: true,
  },
  {
    key: 'vm.qemuBinary',
    label: 'QEMU binary',
    placeholder: 'qemu-system-<arch> found on PATH',
    picked: true,
  },
  {
    key: 'wasm.spareHost',
    label: 'Spare Wasm host',
    placeholder: 'on: a host process is booted ahead of the next start (~45 MiB); "off" to save it',
    picked: false,
  },
] as const

/** Points a kind at a specific engine; empty means "discover it". Takes effect for new work at once. */
function EngineSettings({ onSaved }: { onSaved: () => void }) {
  const settings = useApi(() => api.getSettings())
  const [draft, setDraft] = useState<Record<string, string>>({})
  const [error, setError] = useState<{ message: string; hint?: string }>()
  const value = (key: string) =>
    draft[key] ?? (typeof settings.data?.[key] === 'string' ? (settings.data[key] as string) : '')
  const attempt = async (change: () => Promise<unknown>) => {
    setError(undefined)
    try {
      await change()
      setDraft({})
      await settings.reload()
      onSaved()
    } catch (e) {
      setError(e as { message: string; hint?: string })
    }
  }
  const save = () =>
    attempt(async () => {
      for (const s of ENGINE_SETTINGS)
        if (!s.picked) await api.setSetting({ key: s.key, value: value(s.key) })
    })
  return (
    <Card className="mt-4">
      <h2 className="mb-2 font-semibold">Engine settings</h2>
      <form
        className="grid gap-2 md:grid-cols-[12rem_1fr]"
        onSubmit={(e) => {
          e.preventDefault()
          void save()
        }}
      >
        {ENGINE_SETTINGS.map((s) => (
          <label key={s.key} className="contents text-sm">
            <span className="py-1">{s.label}</span>
            <span className="flex gap-2">
              <input
                aria-label={s.label}
                value={value(s.key)}
                placeholder={s.placeholder}
                readOnly={s.picked}
                onChange={(e) => setDraft((d) => ({ ...d, [s.key]: e.target.value }))}
                className="min-w-0 flex-1 rounded-md border border-slate-300 px-2 py-1 font-mono text-sm dark:border-slate-700 dark:bg-slate-800"
              />
              {s.picked && (
                <>
                  <Button onClick={() => void attempt(() => api.pickEngineBinary({ key: s.key }))}>
                    Choose…
                  </Button>
                  <Button onClick={() => void attempt(() => api.setSetting({ key: s.key, value: '' }))}>
                    Discover
                  </Button>
                </>
              )}
            </span>
          </label>
        ))}
        <div className="md:col-start-2">
          <Button type="submit" variant="primary">
            Save and probe again
          </Button>
        </div>
      </form>
      {error && (
        <div className="mt-2">
          <ErrorBox error={error} />
        </div>
      )}
    </Card>
  )
}
