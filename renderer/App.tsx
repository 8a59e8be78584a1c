import { href, useHashRoute } from './hooks/useHashRoute.ts'
import { BenchPage } from './pages/BenchPage.tsx'
import { DashboardPage } from './pages/DashboardPage.tsx'
import { EnginesPage } from './pages/EnginesPage.tsx'
import { InstancePage } from './pages/InstancePage.tsx'
import { WorldPage } from './pages/WorldPage.tsx'
import { WorldsPage } from './pages/WorldsPage.tsx'

const NAV = [
  { id: 'dashboard', label: 'Dashboard' },
  { id: 'worlds', label: 'Worlds' },
  { id: 'bench', label: 'Bench' },
  { id: 'engines', label: 'Engines' },
] as const

export function App() {
  const [page = 'dashboard', arg] = useHashRoute()
  return (
    <div className="flex min-h-screen">
      <nav
        aria-label="Main"
        className="w-48 shrink-0 border-r border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
      >
        <p className="mb-6 text-lg font-bold tracking-tight">Worldbench</p>
        <ul className="space-y-1">
          {NAV.map((n) => (
            <li key={n.id}>
              <a
                href={href(n.id)}
                aria-current={page === n.id ? 'page' : undefined}
                className={`block rounded-md px-3 py-1.5 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 ${page === n.id ? 'bg-indigo-50 font-medium text-indigo-700 dark:bg-indigo-950 dark:text-indigo-300' : 'hover:bg-slate-100 dark:hover:bg-slate-800'}`}
              >
                {n.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main className="min-w-0 flex-1 p-6">
        {page === 'dashboard' && <DashboardPage />}
        {page === 'worlds' && <WorldsPage />}
        {page === 'bench' && <BenchPage />}
        {page === 'engines' && <EnginesPage />}
        {page === 'instance' && arg && <InstancePage id={arg} />}
        {page === 'world' && arg && <WorldPage name={arg} />}
      </main>
    </div>
  )
}
