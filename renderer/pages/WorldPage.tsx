import { api } from '../api.ts'
import { Card, Empty, ErrorBox, KindBadge, PageTitle, StateBadge, UrlLink } from '../components/ui.tsx'
import { useApi } from '../hooks/useApi.ts'
import { href } from '../hooks/useHashRoute.ts'
import { useLiveInstances } from '../hooks/useLiveInstances.ts'
import { issueText } from '../lib/editor/issue-diagnostics.ts'

/** One world: its workloads, what each depends on, and the live state and URL of each. */
export function WorldPage({ name }: { name: string }) {
  const worlds = useApi(() => api.listWorlds())
  const summary = worlds.data?.find((w) => w.name === name)
  const checked = useApi(
    async () => (summary ? api.validateWorld({ file: summary.file }) : undefined),
    [summary?.file],
  )
  const live = useLiveInstances()
  if (worlds.data && !summary)
    return (
      <Empty>
        No world named “{name}”. Back to{' '}
        <a className="text-indigo-600 underline" href={href('worlds')}>
          Worlds
        </a>
        .
      </Empty>
    )
  return (
    <div>
      <PageTitle>{name}</PageTitle>
      {summary && <p className="mb-1 text-sm text-slate-600 dark:text-slate-400">{summary.description}</p>}
      {summary && <p className="mb-4 font-mono text-xs text-slate-500">{summary.file}</p>}
      {checked.error && <ErrorBox error={checked.error} />}
      {checked.data && !checked.data.ok && (
        <ErrorBox error={{ message: checked.data.issues.map(issueText).join('\n') }} />
      )}
      <Card>
        <table className="w-full text-sm" data-testid="world-workloads">
          <thead className="text-left text-xs text-slate-500">
            <tr>
              <th className="py-1">Workload</th>
              <th>Kind</th>
              <th>Depends on</th>
              <th>State</th>
              <th>URL</th>
            </tr>
          </thead>
          <tbody>
            {checked.data?.world?.workloads.map((w) => {
              const instance = live.instances.find((i) => i.world === name && i.workload === w.name)
              return (
                <tr key={w.name} className="border-t border-slate-100 dark:border-slate-800">
                  <td className="py-1.5">
                    {instance ? (
                      <a className="text-indigo-600 hover:underline" href={href('instance', instance.id)}>
                        {w.name}
                      </a>
                    ) : (
                      w.name
                    )}
                  </td>
                  <td>
                    <KindBadge kind={w.kind} />
                  </td>
                  <td className="text-xs">{w.dependsOn.join(', ') || '–'}</td>
                  <td>
                    <StateBadge state={instance?.state ?? 'stopped'} />
                  </td>
                  <td>
                    {instance?.ports.map((p) => (
                      <UrlLink key={p.url} url={p.url} className="mr-2 font-mono text-xs" />
                    )) ?? '–'}
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      </Card>
    </div>
  )
}
