import { readdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { stateSubdir } from '../../../core/paths.ts'

const cacheDir = () => stateSubdir('cache', 'wasm-components')

async function treeBytes(dir: string): Promise<number> {
  let total = 0
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name)
    total += e.isDirectory() ? await treeBytes(p) : (await stat(p).catch(() => ({ size: 0 }))).size
  }
  return total
}

/** The transpiled components kept by content hash (see component-cache.ts), with their size. */
export async function wasmCacheEntries(): Promise<{ hash: string; bytes: number }[]> {
  const entries = await readdir(cacheDir(), { withFileTypes: true }).catch(() => [])
  const out: { hash: string; bytes: number }[] = []
  for (const e of entries)
    if (e.isDirectory() && !e.name.includes('.tmp-'))
      out.push({ hash: e.name, bytes: await treeBytes(join(cacheDir(), e.name)) })
  return out.sort((a, b) => b.bytes - a.bytes)
}

/** Deletes them all; running components keep what they loaded, later starts transpile again. */
export async function clearWasmCache(): Promise<{ removed: number; bytes: number }> {
  const entries = await wasmCacheEntries()
  for (const e of entries) await rm(join(cacheDir(), e.hash), { recursive: true, force: true })
  return { removed: entries.length, bytes: entries.reduce((a, e) => a + e.bytes, 0) }
}
