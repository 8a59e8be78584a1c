import type { Artifacts } from '../../contract/api.ts'
import { api } from '../api.ts'
import { ConfirmButton } from '../components/ConfirmButton.tsx'
import { Help } from '../components/Help.tsx'
import { Button, Card, Empty, ErrorBox, formatBytes, KindBadge, PageTitle } from '../components/ui.tsx'
import { useApi } from '../hooks/useApi.ts'
import { act } from '../lib/toasts.ts'

const age = (t: number) => {
  const days = (Date.now() - t) / 86_400_000
  return days < 1 ? 'today' : days < 2 ? 'yesterday' : `${Math.floor(days)} days ago`
}
const total = (xs: { bytes?: number }[]) => xs.reduce((a, x) => a + (x.bytes ?? 0), 0)

/** What is stored for workloads: container images, VM and Wasm files, the Wasm compile cache. */
export function ImagesPage() {
  const { data, error, loading, reload } = useApi(() => api.listArtifacts())
  const run = async (done: string, call: () => Promise<unknown>) => {
    await act(done, call)
    await reload()
  }
  return (
    <div>
      <PageTitle
        actions={
          <Button onClick={() => void reload()} disabled={loading}>
            {loading ? 'Listing…' : 'Refresh'}
          </Button>
        }
      >
        Images and modules
      </PageTitle>
      {error && <ErrorBox error={error} />}
      {data && <ImagesCard data={data} run={run} />}
      {data && <FilesCard data={data} />}
      {data && <CacheCard data={data} run={run} />}
    </div>
  )
}

type Run = (done: string, call: () => Promise<unknown>) => Promise<void>

function ImagesCard({ data, run }: { data: Artifacts; run: Run }) {
  return (
    <Card className="mb-4">
      <div className="mb-2 flex flex-wrap items-center gap-2">
        <h2 className="font-semibold">Container images</h2>
        <span className="text-sm text-slate-500">
          {data.images.length} · {formatBytes(total(data.images))}
        </span>
        <span className="ml-auto">
          <ConfirmButton
            label="Prune dangling images"
            question="Remove every untagged image no container uses?"
            onConfirm={() => void run('Pruned dangling images', () => api.pruneImages())}
          >
            Prune
          </ConfirmButton>
        </span>
      </div>
      {data.imagesError && <ErrorBox error={data.imagesError} />}
      <div className="overflow-x-auto">
        <table className="w-full text-sm" data-testid="images">
          <thead className="text-left text-xs text-slate-500">
            <tr>
              <th className="py-1">Image</th>
              <th>
                <Help
                  label="Size"
                  text="As the engine reports it: every layer of the image, shared layers counted in each image that has them."
                />
              </th>
              <th>Created</th>
              <th>Used by</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.images.map((img) => {
              const name = img.tags[0] ?? img.id.slice(7, 19)
              return (
                <tr
                  key={img.id}
                  className="border-t border-slate-100 dark:border-slate-800"
                  data-testid={`image-${name}`}
                >
                  <td className="py-1.5 font-mono text-xs break-all">
                    {img.tags.length ? (
                      img.tags.join(', ')
                    ) : (
                      <span className="text-slate-500">untagged {name}</span>
                    )}
                  </td>
                  <td className="whitespace-nowrap">{formatBytes(img.bytes)}</td>
                  <td className="whitespace-nowrap">{age(img.createdAt)}</td>
                  <td className="text-xs">{img.usedBy.join(', ') || '–'}</td>
                  <td className="text-right">
                    <ConfirmButton
                      label={`Remove image ${name}`}
                      question={`Remove ${name}?`}
                      disabled={img.usedBy.length > 0}
                      onConfirm={() => void run(`Removed ${name}`, () => api.removeImage({ id: img.id }))}
                    >
                      Remove
                    </ConfirmButton>
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      </div>
    </Card>
  )
}

function FilesCard({ data }: { data: Artifacts }) {
  return (
    <Card className="mb-4">
      <h2 className="mb-2 font-semibold">VM images and Wasm modules in use</h2>
      {data.files.length === 0 ? (
        <Empty>No VM or Wasm workload is running.</Empty>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-sm" data-testid="files">
            <thead className="text-left text-xs text-slate-500">
              <tr>
                <th className="py-1">Kind</th>
                <th>File</th>
                <th>Size</th>
                <th>What it is</th>
                <th>Used by</th>
              </tr>
            </thead>
            <tbody>
              {data.files.map((f) => (
                <tr key={f.file} className="border-t border-slate-100 dark:border-slate-800">
                  <td className="py-1.5">
                    <KindBadge kind={f.kind} />
                  </td>
                  <td className="font-mono text-xs break-all">{f.file}</td>
                  <td className="whitespace-nowrap">{formatBytes(f.bytes)}</td>
                  <td className="text-xs">
                    {f.wasm
                      ? `${f.wasm.format === 'component' ? 'component' : 'core module'} · ${f.wasm.imports} imports · ${f.wasm.exports} exports · sha256 ${f.wasm.sha256.slice(0, 12)}…`
                      : f.role}
                  </td>
                  <td className="text-xs">{f.usedBy.join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  )
}

function CacheCard({ data, run }: { data: Artifacts; run: Run }) {
  return (
    <Card>
      <div className="mb-2 flex flex-wrap items-center gap-2">
        <h2 className="font-semibold">
          <Help
            label="Wasm compile cache"
            text="Components are transpiled to JavaScript once per content hash and reused at every start. Clearing it frees the space; the next start of each component transpiles it again (about a second)."
          />
        </h2>
        <span className="text-sm text-slate-500">
          {data.wasmCache.length} · {formatBytes(total(data.wasmCache))}
        </span>
        <span className="ml-auto">
          <ConfirmButton
            label="Clear the Wasm compile cache"
            question="Delete every transpiled component?"
            disabled={data.wasmCache.length === 0}
            onConfirm={() => void run('Cleared the Wasm compile cache', () => api.clearWasmCache())}
          >
            Clear
          </ConfirmButton>
        </span>
      </div>
      {data.wasmCache.length === 0 ? (
        <p className="text-sm text-slate-500">
          Empty: no component has been started yet (core modules need no cache).
        </p>
      ) : (
        <ul className="font-mono text-xs" data-testid="wasm-cache">
          {data.wasmCache.map((c) => (
            <li key={c.hash}>
              {c.hash.slice(0, 16)}… {formatBytes(c.bytes)}
            </li>
          ))}
        </ul>
      )}
    </Card>
  )
}
