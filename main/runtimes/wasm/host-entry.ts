import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { projectRoot } from '../../core/paths.ts'

export interface HostEntry {
  host: string
  /** The guest worker the host should use, when it is not the source file next to the host. */
  guestWorker?: string
}

/**
 * Which file a Wasm host process runs. The built one (out/main/wasm-host.cjs, made by `npm run
 * build`) when it is newer than every source file under main/: plain CommonJS boots ~20 ms
 * sooner and ~16 MiB smaller than TypeScript stripped at load. Otherwise the source, so a
 * change is never run from a stale build. The environment can name one (the Electron shell does).
 */
export function hostEntry(): HostEntry {
  if (process.env.WORLDBENCH_WASM_HOST) {
    return {
      host: process.env.WORLDBENCH_WASM_HOST,
      ...(process.env.WORLDBENCH_WASM_GUEST_WORKER && {
        guestWorker: process.env.WORLDBENCH_WASM_GUEST_WORKER,
      }),
    }
  }
  const built = builtEntry()
  return built ?? { host: fileURLToPath(new URL('./host/host.ts', import.meta.url)) }
}

let cachedBuilt: HostEntry | null | undefined
function builtEntry(): HostEntry | undefined {
  if (cachedBuilt === undefined) {
    const out = join(projectRoot(), 'out', 'main')
    const host = join(out, 'wasm-host.cjs')
    const guestWorker = join(out, 'wasm-guest-worker.js')
    const fresh =
      existsSync(host) &&
      existsSync(guestWorker) &&
      Math.min(statSync(host).mtimeMs, statSync(guestWorker).mtimeMs) >
        newestSource(join(projectRoot(), 'main'))
    cachedBuilt = fresh ? { host, guestWorker } : null
  }
  return cachedBuilt ?? undefined
}

function newestSource(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path))
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs)
  }
  return newest
}
