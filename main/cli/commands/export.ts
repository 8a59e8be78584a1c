import { copyFileSync, cpSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { stringify } from 'yaml'
import { WorldbenchError } from '../../core/errors.ts'
import type { ImageToPush } from '../../core/export/images.ts'
import type { WasmTarget } from '../../core/export/k8s-common.ts'
import {
  assembledDockerfile,
  type KubernetesExport,
  worldToKubernetes,
} from '../../core/export/kubernetes.ts'
import { worldToCompose } from '../../core/export/to-compose.ts'
import { sampleWorldFiles } from '../../core/world/catalog.ts'
import { loadWorld } from '../../core/world/load.ts'
import { printJson } from '../output.ts'
import { runSteps } from '../run-steps.ts'

export interface ExportOptions {
  to: 'kubernetes' | 'compose'
  output?: string
  wasm: WasmTarget
  runtimeClass?: string
  registry?: string
  json?: boolean
}

/** YAML as people write it: no anchors for repeated objects, no folded lines. */
const toYaml = (v: unknown) => stringify(v, { lineWidth: 0, aliasDuplicateObjects: false })

/** `worldbench export <world> --to kubernetes|compose [-o dir]`. */
export async function exportCommand(ref: string, opts: ExportOptions): Promise<number> {
  const world = await loadWorld(sampleWorldFiles().get(ref) ?? resolve(ref))
  const outDir = opts.output ? resolve(opts.output) : undefined
  if (opts.to === 'compose') {
    const { compose, notes } = worldToCompose(world, outDir ?? world.dir)
    const yaml = `# Exported from world "${world.name}" by "worldbench export --to compose".\n${toYaml(compose)}`
    if (outDir) {
      mkdirSync(outDir, { recursive: true })
      writeFileSync(join(outDir, 'compose.yaml'), yaml)
      process.stderr.write(`Wrote ${join(outDir, 'compose.yaml')}.\n`)
    } else process.stdout.write(yaml)
    for (const n of notes) process.stderr.write(`note: ${n}\n`)
    return 0
  }
  if (opts.registry && !outDir)
    throw new WorldbenchError(
      'EXPORT_NEEDS_OUTPUT',
      '--registry builds and pushes images from the export folder, so it needs -o DIR.',
      `Run: worldbench export ${ref} --to kubernetes -o ./k8s --registry ${opts.registry}`,
    )
  const result = worldToKubernetes(world, {
    wasm: opts.wasm,
    ...(opts.runtimeClass && { runtimeClass: opts.runtimeClass }),
    ...(opts.registry && { registry: opts.registry }),
  })
  if (outDir) writeExport(outDir, result)
  if (opts.json) printJson({ ...result, ...(outDir && { output: outDir }) })
  else if (!outDir)
    process.stdout.write(result.files.flatMap((f) => f.objects.map((o) => toYaml(o))).join('---\n'))
  if (!opts.json) report(result, outDir, !!opts.registry)
  if (opts.registry && outDir) await runSteps(result.images, outDir)
  return 0
}

/** Manifests, one file per workload; a build context per assembled image; a folder per Spin app. */
function writeExport(dir: string, result: KubernetesExport): void {
  mkdirSync(dir, { recursive: true })
  for (const f of result.files)
    writeFileSync(join(dir, f.name), f.objects.map((o) => toYaml(o)).join('---\n'))
  for (const img of result.images) {
    if (!img.files) continue
    const ctx = join(dir, 'images', img.workload)
    mkdirSync(ctx, { recursive: true })
    for (const f of img.files) copyFileSync(f.from, join(ctx, basename(f.from)))
    writeFileSync(join(ctx, 'Dockerfile'), assembledDockerfile(img))
  }
  for (const app of result.spinApps) {
    const appDir = join(dir, 'spin', app.workload)
    mkdirSync(appDir, { recursive: true })
    writeFileSync(join(appDir, 'spin.toml'), app.manifest)
    for (const f of app.files) {
      const to = join(appDir, basename(f))
      if (statSync(f).isDirectory()) cpSync(f, to, { recursive: true })
      else copyFileSync(f, to)
    }
  }
}

function report(result: KubernetesExport, outDir: string | undefined, pushing: boolean): void {
  const err = (s: string) => process.stderr.write(`${s}\n`)
  if (outDir) err(`Wrote ${result.files.map((f) => f.name).join(', ')} to ${outDir}.`)
  for (const n of result.notes) err(`note: ${n}`)
  if (result.images.length === 0 || pushing) return
  err('\nThese images exist only on this machine; push them (from the export folder) before applying:')
  for (const img of result.images) err(formatImage(img))
  err('Or pass --registry HOST/PATH (with -o) to tag and push them now.')
}

export function formatImage(img: ImageToPush): string {
  return [
    `  ${img.ref}  (${img.what} of ${img.workload})`,
    ...img.steps.map((s) => `      ${s.join(' ')}`),
  ].join('\n')
}
