import type { ReactNode } from 'react'
import type { Kind } from '../../contract/api.ts'
import type { UiError } from '../lib/ui-error.ts'

export function Card({ children, className = '' }: { children: ReactNode; className?: string }) {
  return (
    <section
      className={`rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900 ${className}`}
    >
      {children}
    </section>
  )
}

export function PageTitle({ children, actions }: { children: ReactNode; actions?: ReactNode }) {
  return (
    <div className="mb-4 flex items-center justify-between gap-4">
      <h1 className="text-xl font-semibold">{children}</h1>
      <div className="flex gap-2">{actions}</div>
    </div>
  )
}

const KIND_STYLE: Partial<Record<Kind, string>> = {
  vm: 'bg-violet-100 text-violet-800 dark:bg-violet-900/60 dark:text-violet-200',
  container: 'bg-sky-100 text-sky-800 dark:bg-sky-900/60 dark:text-sky-200',
  wasm: 'bg-amber-100 text-amber-800 dark:bg-amber-900/60 dark:text-amber-200',
}

export function KindBadge({ kind }: { kind: Kind }) {
  return (
    <span
      className={`rounded px-1.5 py-0.5 font-mono text-xs ${KIND_STYLE[kind] ?? 'bg-slate-100 text-slate-800 dark:bg-slate-800 dark:text-slate-200'}`}
    >
      {kind}
    </span>
  )
}

export function StateBadge({ state }: { state: string }) {
  const color =
    state === 'running'
      ? 'text-emerald-600 dark:text-emerald-400'
      : state === 'failed'
        ? 'text-red-600 dark:text-red-400'
        : 'text-slate-500'
  return <span className={`text-sm font-medium ${color}`}>{state}</span>
}

/** A workload's URL, opened in a new tab (the shell sends http(s) links to the system browser). */
export function UrlLink({ url, className = '' }: { url: string; className?: string }) {
  return (
    <a className={`text-indigo-600 underline ${className}`} href={url} target="_blank" rel="noreferrer">
      {url}
    </a>
  )
}

export function Button({
  children,
  onClick,
  disabled,
  variant = 'default',
  label,
  type = 'button',
}: {
  children: ReactNode
  onClick?: () => void
  disabled?: boolean
  variant?: 'default' | 'primary' | 'danger'
  label?: string
  type?: 'button' | 'submit'
}) {
  const styles = {
    default:
      'border-slate-300 bg-white hover:bg-slate-100 dark:border-slate-700 dark:bg-slate-800 dark:hover:bg-slate-700',
    primary: 'border-indigo-600 bg-indigo-600 text-white hover:bg-indigo-500',
    danger:
      'border-red-300 bg-white text-red-700 hover:bg-red-50 dark:border-red-800 dark:bg-slate-900 dark:text-red-300',
  }[variant]
  return (
    <button
      type={type}
      aria-label={label}
      onClick={onClick}
      disabled={disabled}
      className={`rounded-md border px-3 py-1 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 disabled:opacity-50 ${styles}`}
    >
      {children}
    </button>
  )
}

export function ErrorBox({ error }: { error: UiError }) {
  return (
    <div
      role="alert"
      className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200"
    >
      <p className="whitespace-pre-wrap font-medium">{error.message}</p>
      {error.hint && <p className="mt-1 whitespace-pre-wrap">{error.hint}</p>}
    </div>
  )
}

export function Empty({ children }: { children: ReactNode }) {
  return (
    <p className="rounded-md border border-dashed border-slate-300 p-6 text-center text-sm text-slate-500 dark:border-slate-700">
      {children}
    </p>
  )
}

export { formatBytes } from '../../contract/format.ts'
