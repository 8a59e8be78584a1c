import { dirname, resolve } from 'node:path'
import { formatOf } from './kinds/index.ts'
import type { Limits } from './kinds/kind-format.ts'
import type { Workload, World, WorldInput } from './schema.ts'

/** A workload with the limits its kind gives when its file names none. */
export function withDefaultLimits<W extends Pick<Workload, 'kind' | 'limits'> & Partial<Workload>>(w: W): W {
  const format = formatOf(w.kind)
  const section = w[w.kind]
  if (!format.defaultLimits || !section) return w
  return { ...w, limits: format.defaultLimits(section, w.limits as Limits) }
}

/** Resolves every path against the world's folder and names the world on each workload. */
export function place(file: string, input: WorldInput): World {
  const dir = dirname(file)
  const abs = (p: string) => resolve(dir, p)
  return {
    name: input.name,
    ...(input.description !== undefined && { description: input.description }),
    ...(input.networks !== undefined && { networks: input.networks }),
    file,
    dir,
    workloads: input.workloads.map((w) => {
      const section = w[w.kind]
      return {
        ...withDefaultLimits(w),
        world: input.name,
        ...(w.kind === 'container' && input.networks !== undefined && { worldNetworks: input.networks }),
        ...(w.prepare !== undefined && { prepare: abs(w.prepare) }),
        ...(section && { [w.kind]: formatOf(w.kind).resolvePaths(section, abs) }),
      } as Workload
    }),
  }
}
