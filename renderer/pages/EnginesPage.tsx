import { useState } from 'react'
import type { ENGINE_PATH_SETTINGS, SettingInfo } from '../../contract/api.ts'
import { api } from '../api.ts'
import { Help } from '../components/Help.tsx'
import { Button, Card, ErrorBox, KindBadge, PageTitle } from '../components/ui.tsx'
import { useApi } from '../hooks/useApi.ts'
import { useKinds } from '../hooks/useKinds.ts'
import { notWorkingHint } from '../lib/engine-hints.ts'
import { act } from '../lib/toasts.ts'

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
                  {Object.entries(e.details).map(([k, v]) => {
                    const hint = notWorkingHint(k, v)
                    return (
                      <div key={k} className="flex gap-2">
                        <dt className="text-slate-500">{k}</dt>
                        <dd className="min-w-0 break-words font-mono">
                          {v}
                          {hint && (
                            <p
                              className="mt-1 font-sans text-slate-600 dark:text-slate-300"
                              data-testid={`hint-${k}`}
                            >
                              {hint}
                            </p>
                          )}
                        </dd>
                      </div>
                    )
                  })}
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

type EnginePath = (typeof ENGINE_PATH_SETTINGS)[number]

const OFF = ['off', 'false', 'no', '0']
const asToggle = (v: unknown, fallback: boolean) =>
  v === undefined || v === '' ? fallback : !OFF.includes(String(v).toLowerCase())

/** Points a kind at a specific engine; empty means "discover it". Takes effect for new work at once. */
function EngineSettings({ onSaved }: { onSaved: () => void }) {
  const settings = useApi(() => api.getSettings())
  const engineSettings = useKinds().flatMap((k) => k.settings)
  const [draft, setDraft] = useState<Record<string, string | boolean>>({})
  const value = (s: SettingInfo): string | boolean => {
    if (s.key in draft) return draft[s.key]!
    const v = settings.data?.[s.key]
    return s.control === 'toggle' ? asToggle(v, s.default ?? false) : typeof v === 'string' ? v : ''
  }
  const save = async () => {
    const saved = await act('Settings saved; engines probed again', async () => {
      // Engine paths are only ever picked (below); the form saves the toggles.
      for (const s of engineSettings)
        if (s.control === 'toggle' && s.key in draft) await api.setSetting({ key: s.key, value: value(s) })
    })
    if (saved === undefined) return
    setDraft({})
    await settings.reload()
    onSaved()
  }
  // A program Worldbench runs or a socket it obeys: chosen in the desktop app with a file dialog and
  // a confirmation, never typed in (web mode and the control socket may only clear it).
  const pick = async (change: () => Promise<unknown>, done: string) => {
    if ((await act(done, change)) === undefined) return
    await settings.reload()
    onSaved()
  }
  return (
    <Card className="mt-4">
      <h2 className="mb-2 font-semibold">Engine settings</h2>
      <form
        className="grid gap-x-4 gap-y-3 md:grid-cols-[12rem_1fr]"
        onSubmit={(e) => {
          e.preventDefault()
          void save()
        }}
      >
        {engineSettings.map((s) => (
          <div key={s.key} className="contents text-sm">
            <label htmlFor={`setting-${s.key}`} className="py-1">
              <Help label={s.label} text={s.help} />
            </label>
            {s.control === 'toggle' ? (
              <label className="flex items-center gap-2 py-1">
                <input
                  id={`setting-${s.key}`}
                  aria-label={s.label}
                  type="checkbox"
                  role="switch"
                  aria-checked={value(s) === true}
                  checked={value(s) === true}
                  onChange={(e) => setDraft((d) => ({ ...d, [s.key]: e.target.checked }))}
                />
                {value(s) ? 'On' : 'Off'}
              </label>
            ) : (
              <span className="flex min-w-0 gap-2">
                <input
                  id={`setting-${s.key}`}
                  aria-label={s.label}
                  value={String(value(s))}
                  placeholder={s.placeholder}
                  readOnly
                  className="min-w-0 flex-1 rounded-md border border-slate-300 px-2 py-1 font-mono text-sm dark:border-slate-700 dark:bg-slate-800"
                />
                <Button
                  onClick={() =>
                    void pick(() => api.pickEngineBinary({ key: s.key as EnginePath }), `${s.label} chosen`)
                  }
                >
                  Choose…
                </Button>
                <Button
                  onClick={() =>
                    void pick(() => api.setSetting({ key: s.key, value: '' }), `${s.label}: discovered again`)
                  }
                >
                  Discover
                </Button>
              </span>
            )}
          </div>
        ))}
        <div className="md:col-start-2">
          <Button type="submit" variant="primary" disabled={Object.keys(draft).length === 0}>
            Save and probe again
          </Button>
        </div>
      </form>
    </Card>
  )
}
