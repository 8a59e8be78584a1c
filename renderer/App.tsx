import { useSyncExternalStore } from 'react'
import { ConnectionBanner } from './components/ConnectionBanner.tsx'
import { Toasts } from './components/Toasts.tsx'
import { href, useHashRoute } from './hooks/useHashRoute.ts'
import { activityStore } from './lib/activity.ts'
import { connection } from './lib/connection.ts'
import { BenchPage } from './pages/BenchPage.tsx'
import { DashboardPage } from './pages/DashboardPage.tsx'
import { EnginesPage } from './pages/EnginesPage.tsx'
import { ImagesPage } from './pages/ImagesPage.tsx'
import { InstancePage } from './pages/InstancePage.tsx'
import { WorldPage } from './pages/WorldPage.tsx'
import { WorldsPage } from './pages/WorldsPage.tsx'

const NAV = [
  { id: 'dashboard', label: 'Dashboard' },
  { id: 'worlds', label: 'Worlds' },
  { id: 'bench', label: 'Bench' },
  { id: 'images', label: 'Images' },
  { id: 'engines', label: 'Engines' },
] as const

export function App() {
  const [page = 'dashboard', arg] = useHashRoute()
  const online = useSyncExternalStore(connection.subscribe, connection.state) !== 'reconnecting'
  // A bench run started in any tab (or from the CLI) shows here, whichever page is open.
  const benching = useSyncExternalStore(activityStore.subscribe, activityStore.get).bench
  return (
    <div className="flex min-h-screen flex-col md:flex-row">
      <nav
        aria-label="Main"
        className="flex shrink-0 items-center gap-4 border-b border-slate-200 bg-white px-4 py-2 md:w-48 md:flex-col md:items-stretch md:border-r md:border-b-0 md:p-4 dark:border-slate-800 dark:bg-slate-900"
      >
        <p className="text-lg font-bold tracking-tight md:mb-6">Worldbench</p>
        <ul className="flex gap-1 md:flex-col md:space-y-1">
          {NAV.map((n) => (
            <li key={n.id}>
              <a
                href={href(n.id)}
                aria-current={page === n.id ? 'page' : undefined}
                className={`block rounded-md px-3 py-1.5 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 ${page === n.id ? 'bg-indigo-50 font-medium text-indigo-700 dark:bg-indigo-950 dark:text-indigo-300' : 'hover:bg-slate-100 dark:hover:bg-slate-800'}`}
              >
                {n.label}
                {n.id === 'bench' && benching && (
                  <span
                    className="ml-2 inline-block h-2 w-2 animate-pulse rounded-full bg-amber-500"
                    title={`Benchmarking ${benching.world}`}
                    data-testid="bench-running"
                  />
                )}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main className="min-w-0 flex-1">
        <ConnectionBanner />
        <div className={`p-4 md:p-6 ${online ? '' : 'opacity-60'}`} aria-busy={!online}>
          {page === 'dashboard' && <DashboardPage />}
          {page === 'worlds' && <WorldsPage />}
          {page === 'bench' && <BenchPage />}
          {page === 'engines' && <EnginesPage />}
          {page === 'images' && <ImagesPage />}
          {page === 'instance' && arg && <InstancePage id={arg} />}
          {page === 'world' && arg && <WorldPage name={arg} />}
        </div>
      </main>
      <Toasts />
    </div>
  )
}
