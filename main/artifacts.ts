import { stat } from 'node:fs/promises'
import type { ArtifactFile, Artifacts } from '../contract/api.ts'
import { toErrorShape, WorldbenchError } from './core/errors.ts'
import type { Runtime } from './core/runtime.ts'
import type { RuntimeRegistry } from './core/runtime-registry.ts'
import type { Supervisor } from './core/supervisor.ts'
import type { Workload } from './core/world/schema.ts'

/** The files a workload runs from, by role. */
function filesOf(w: Workload): { role: string; file: string }[] {
  const out: { role: string; file: string }[] = []
  if (w.vm?.kernel) out.push({ role: 'kernel', file: w.vm.kernel })
  if (w.vm?.initrd) out.push({ role: 'initrd', file: w.vm.initrd })
  if (w.vm?.disk) out.push({ role: 'disk', file: w.vm.disk })
  if (w.wasm?.module) out.push({ role: 'module', file: w.wasm.module })
  return out
}

/** What is stored for the instances: images on the engine, VM and Wasm files, the Wasm compile cache. */
export async function listArtifacts(registry: RuntimeRegistry, supervisor: Supervisor): Promise<Artifacts> {
  const byFile = new Map<string, ArtifactFile>()
  for (const i of supervisor.instances()) {
    const w = supervisor.get(i.id).workload
    if (!w) continue
    for (const { role, file } of filesOf(w)) {
      const known = byFile.get(file)
      if (known) {
        known.usedBy.push(`${i.world}/${i.workload}`)
        continue
      }
      const entry: ArtifactFile = { kind: w.kind, role, file, usedBy: [`${i.world}/${i.workload}`] }
      const st = await stat(file).catch(() => undefined)
      if (st) entry.bytes = st.size
      if (role === 'module') {
        const x = await capabilityOf(registry, 'modules')
          ?.inspect(file)
          .catch(() => undefined)
        if (x)
          entry.wasm = {
            format: x.format,
            sha256: x.sha256,
            imports: x.imports.length,
            exports: x.exports.length,
          }
      }
      byFile.set(file, entry)
    }
  }
  let images: Artifacts['images'] = []
  let imagesError: Artifacts['imagesError']
  try {
    images = await imagesOf(registry).list()
  } catch (err) {
    imagesError = toErrorShape(err)
  }
  return {
    images,
    ...(imagesError && { imagesError }),
    files: [...byFile.values()],
    // Without a Wasm runtime there is no compile cache to list (a registry of some kinds only).
    wasmCache: (await capabilityOf(registry, 'modules')?.cacheEntries()) ?? [],
  }
}

/** The first registered runtime's optional capability (images: containers; modules: Wasm), if any. */
function capabilityOf<K extends 'images' | 'modules'>(
  registry: RuntimeRegistry,
  key: K,
): NonNullable<Runtime[K]> | undefined {
  return registry.all().find((r) => r[key])?.[key] ?? undefined
}

export function imagesOf(registry: RuntimeRegistry): NonNullable<Runtime['images']> {
  const images = capabilityOf(registry, 'images')
  if (!images)
    throw new WorldbenchError(
      'NO_IMAGE_ENGINE',
      'No container engine is configured, so there are no images to manage.',
      'See the Engines page to set one up.',
    )
  return images
}

/** The module reader (the Wasm runtime's). */
export function modulesOf(registry: RuntimeRegistry): NonNullable<Runtime['modules']> {
  const modules = capabilityOf(registry, 'modules')
  if (!modules)
    throw new WorldbenchError(
      'NO_MODULE_ENGINE',
      'No Wasm runtime is configured, so no module can be inspected.',
      'See the Engines page.',
    )
  return modules
}
