import { basename } from 'node:path'
import type { Workload, World } from '../world/schema.ts'
import { assembledImage, bootPaths, diskPath, type ImageToPush, pushedRef } from './images.ts'
import type { ExportContext, K8sObject, WasmTarget } from './k8s-common.ts'
import { containerObjects } from './k8s-container.ts'
import { networkNotes } from './k8s-networks.ts'
import { vmObjects } from './k8s-vm.ts'
import { runwasiObjects, spinAppObjects, spinExecutor, spinFiles, spinManifest } from './k8s-wasm.ts'

export interface KubernetesOptions {
  /** SpinKube by default: it serves both CGI modules (WAGI) and wasi:http components. */
  wasm?: WasmTarget
  /** runwasi's RuntimeClass (default "wasmtime", containerd-shim-wasmtime). */
  runtimeClass?: string
  /** Where images Worldbench builds are pushed; the manifests name them there. */
  registry?: string
}

export interface KubernetesExport {
  /** One file per workload (and the SpinAppExecutor when a SpinApp needs it). */
  files: { name: string; objects: K8sObject[] }[]
  images: ImageToPush[]
  /** Spin apps to package: spin.toml text and the files it names. */
  spinApps: { workload: string; manifest: string; files: string[] }[]
  notes: string[]
}

/** A world as Kubernetes objects: Deployments and Services, KubeVirt VirtualMachines, SpinApps (or runwasi pods). */
export function worldToKubernetes(world: World, opts: KubernetesOptions = {}): KubernetesExport {
  const ctx: ExportContext = { world, wasm: opts.wasm ?? 'spinkube', notes: [] }
  const out: KubernetesExport = { files: [], images: [], spinApps: [], notes: ctx.notes }
  /** An image assembled from the workload's files; its build context is images/<workload>/. */
  const assembled = (
    w: Workload,
    suffix: string,
    what: ImageToPush['what'],
    files: ImageToPush['files'],
    steps?: (ref: string) => string[][],
  ) => {
    const ref = pushedRef(assembledImage(w, suffix), opts.registry)
    const build = steps?.(ref) ?? [
      ['docker', 'build', '-t', ref, `images/${w.name}`],
      ['docker', 'push', ref],
    ]
    out.images.push({ workload: w.name, ref, what, ...(files && { files }), steps: build })
    return ref
  }
  for (const w of world.workloads) {
    let objects: K8sObject[]
    if (w.kind === 'container') {
      const c = w.container!
      const built = c.build !== undefined
      const ref = built ? pushedRef(c.image, opts.registry) : c.image
      if (built)
        out.images.push({
          workload: w.name,
          ref,
          local: c.image,
          what: 'container image',
          steps: [...(ref !== c.image ? [['docker', 'tag', c.image, ref]] : []), ['docker', 'push', ref]],
        })
      objects = containerObjects(ctx, w, ref, built)
    } else if (w.kind === 'vm') {
      const vm = w.vm!
      const files = vm.kernel
        ? [
            { from: vm.kernel, to: bootPaths.kernel },
            ...(vm.initrd ? [{ from: vm.initrd, to: bootPaths.initrd }] : []),
          ]
        : [{ from: vm.disk!, to: diskPath(vm.disk!) }]
      const ref = vm.kernel
        ? assembled(w, 'boot', 'kernel containerDisk', files)
        : assembled(w, 'disk', 'disk containerDisk', files)
      objects = vmObjects(w, ref, ctx.notes)
    } else if (ctx.wasm === 'spinkube') {
      const ref = assembled(w, 'spin', 'Spin app', undefined, (r) => [
        ['spin', 'registry', 'push', '--from', `spin/${w.name}/spin.toml`, r],
      ])
      out.spinApps.push({ workload: w.name, manifest: spinManifest(ctx, w), files: spinFiles(w) })
      objects = spinAppObjects(ctx, w, ref)
    } else {
      const wasm = w.wasm!
      const ref = assembled(w, 'wasm', 'Wasm OCI image', [
        { from: wasm.module, to: `/${basename(wasm.module)}` },
      ])
      objects = runwasiObjects(ctx, w, ref, opts.runtimeClass ?? 'wasmtime')
    }
    out.files.push({ name: `${w.name}.yaml`, objects })
  }
  if (out.spinApps.length) out.files.push({ name: 'spin-executor.yaml', objects: [spinExecutor()] })
  ctx.notes.push(...networkNotes(world))
  return dedupe(out)
}

/** A named volume two workloads share is claimed once. */
function dedupe(out: KubernetesExport): KubernetesExport {
  const seen = new Set<string>()
  for (const f of out.files)
    f.objects = f.objects.filter((o) => {
      const key = `${o.kind}/${(o.metadata as { name: string }).name}`
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
  return out
}

/** The Dockerfile of an image Worldbench assembles from files (VM boot files, a disk, a Wasm module). */
export function assembledDockerfile(img: ImageToPush): string {
  const lines = ['FROM scratch', ...(img.files ?? []).map((f) => `COPY ${basename(f.from)} ${f.to}`)]
  if (img.what === 'Wasm OCI image') lines.push(`ENTRYPOINT ["${img.files![0]!.to}"]`)
  return `${lines.join('\n')}\n`
}
