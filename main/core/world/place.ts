import { dirname, resolve } from 'node:path'
import type { World, WorldInput } from './schema.ts'
import { withWasmDefaults } from './wasm-defaults.ts'

/** Resolves every path against the world's folder and names the world on each workload. */
export function place(file: string, input: WorldInput): World {
  const dir = dirname(file)
  const abs = (p: string | undefined) => (p === undefined ? undefined : resolve(dir, p))
  return {
    name: input.name,
    ...(input.description !== undefined && { description: input.description }),
    file,
    dir,
    workloads: input.workloads.map((w) => ({
      ...withWasmDefaults(w),
      world: input.name,
      ...(w.prepare !== undefined && { prepare: abs(w.prepare) }),
      ...(w.container && {
        container: {
          ...w.container,
          build: abs(w.container.build),
          dockerfile: w.container.dockerfile,
          volumes: w.container.volumes?.map((v) =>
            v.type === 'bind' && v.source !== undefined ? { ...v, source: resolve(dir, v.source) } : v,
          ),
        },
      }),
      ...(w.vm && {
        vm: {
          ...w.vm,
          kernel: abs(w.vm.kernel),
          initrd: abs(w.vm.initrd),
          disk: abs(w.vm.disk),
          cloudInit: abs(w.vm.cloudInit),
          build: abs(w.vm.build),
        },
      }),
      ...(w.wasm && {
        wasm: {
          ...w.wasm,
          module: abs(w.wasm.module)!,
          build: abs(w.wasm.build),
          link: Object.fromEntries(Object.entries(w.wasm.link).map(([iface, p]) => [iface, resolve(dir, p)])),
          dirs: w.wasm.dirs.map((d) => ({ ...d, host: resolve(dir, d.host) })),
        },
      }),
    })),
  }
}
