import type { Workload, World } from '../world/schema.ts'
import { relativeTo } from './relative.ts'

type Obj = Record<string, unknown>

/** A world as a world.yaml written in `dir` says it: paths relative to it, empty and default fields left out. */
export function worldToFile(world: World, dir: string): Obj {
  return {
    apiVersion: 'worldbench/v1',
    name: world.name,
    ...(world.description && { description: world.description }),
    ...(world.networks && { networks: world.networks }),
    workloads: world.workloads.map((w) => workload(w, dir)),
  }
}

function workload(w: Workload, dir: string): Obj {
  const rel = (p: string | undefined) => (p === undefined ? undefined : relativeTo(dir, p))
  const { world: _, worldNetworks: __, ...rest } = w
  const out: Obj = { ...rest }
  if (w.prepare) out.prepare = rel(w.prepare)
  if (w.container)
    out.container = {
      ...w.container,
      build: rel(w.container.build),
      ...(w.container.volumes && {
        volumes: w.container.volumes.map((v) => (v.type === 'bind' ? { ...v, source: rel(v.source) } : v)),
      }),
    }
  if (w.vm)
    out.vm = {
      ...w.vm,
      kernel: rel(w.vm.kernel),
      initrd: rel(w.vm.initrd),
      disk: rel(w.vm.disk),
      cloudInit: rel(w.vm.cloudInit),
      build: rel(w.vm.build),
    }
  if (w.wasm)
    out.wasm = {
      ...w.wasm,
      module: rel(w.wasm.module),
      build: rel(w.wasm.build),
      link: Object.fromEntries(Object.entries(w.wasm.link).map(([k, p]) => [k, rel(p)])),
      dirs: w.wasm.dirs.map((d) => ({ ...d, host: rel(d.host) })),
    }
  return pruned(out) as Obj
}

/** Drops undefined values and empty lists and maps, so the file says only what was set. */
function pruned(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(pruned)
  if (v === null || typeof v !== 'object') return v
  const out: Obj = {}
  for (const [k, val] of Object.entries(v)) {
    const p = pruned(val)
    if (p === undefined) continue
    if (Array.isArray(p) && p.length === 0) continue
    if (typeof p === 'object' && p !== null && !Array.isArray(p) && Object.keys(p).length === 0) continue
    out[k] = p
  }
  return out
}
