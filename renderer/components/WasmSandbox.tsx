import { Card } from './ui.tsx'

interface Dir {
  host: string
  guest: string
  writable?: boolean
  outside?: boolean
}

/** What a Wasm workload may touch: its directories (those outside its world's folder flagged), env and limits. */
export function WasmSandbox({ definition }: { definition: Record<string, unknown> }) {
  const wasm = definition.wasm as { dirs?: Dir[] } | undefined
  if (!wasm) return null
  const limits = (definition.limits ?? {}) as { memoryMiB?: number; timeoutSeconds?: number }
  const env = Object.keys((definition.env ?? {}) as Record<string, string>)
  const dirs = wasm.dirs ?? []
  return (
    <Card>
      <h2 className="mb-2 font-semibold">Sandbox</h2>
      <ul className="space-y-1 text-sm" data-testid="wasm-sandbox">
        {dirs.length === 0 && <li>No directories</li>}
        {dirs.map((d) => (
          <li key={d.guest} className={d.outside ? 'font-semibold text-red-600 dark:text-red-400' : ''}>
            <span className="font-mono">
              {d.host} → {d.guest}
            </span>{' '}
            ({d.writable ? 'read-write' : 'read-only'}){d.outside && " — OUTSIDE the world's folder"}
          </li>
        ))}
        <li>Env: {env.length ? env.join(', ') : 'none'}</li>
        <li>
          {limits.memoryMiB !== undefined ? `Memory ≤ ${limits.memoryMiB} MiB` : 'No memory limit'}
          {limits.timeoutSeconds !== undefined
            ? ` · ${limits.timeoutSeconds}s per run or request`
            : ' · no time limit'}
        </li>
      </ul>
    </Card>
  )
}
