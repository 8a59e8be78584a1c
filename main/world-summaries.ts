import type { WorldSummary } from '../contract/api.ts'
import type { Store } from './core/store.ts'
import { sampleWorldFiles } from './core/world/catalog.ts'
import { checkWorldFileSync, formatIssue } from './core/world/load.ts'

/** Sample worlds and saved ones, each with its kinds and workloads; a broken saved world is listed as broken. */
export function worldSummaries(store: Store): WorldSummary[] {
  const records = new Map(store.worlds().map((r) => [r.file, r]))
  const out: WorldSummary[] = []
  const seen = new Set<string>()
  const add = (file: string, sample: boolean) => {
    if (seen.has(file)) return
    seen.add(file)
    const { world, issues } = checkWorldFileSync(file)
    if (!world) {
      // One broken saved world is listed as broken; it never hides the others.
      const record = records.get(file)
      if (record)
        out.push({
          name: record.name,
          file,
          sample,
          kinds: [],
          workloads: 0,
          workloadNames: [],
          desired: record.desired,
          broken: issues.map(formatIssue).join('\n').trim(),
        })
      return
    }
    out.push({
      name: world.name,
      ...(world.description !== undefined && { description: world.description }),
      file,
      sample,
      kinds: [...new Set(world.workloads.map((w) => w.kind))],
      workloads: world.workloads.length,
      workloadNames: world.workloads.map((w) => w.name),
      desired: records.get(file)?.desired ?? 'down',
    })
  }
  for (const file of sampleWorldFiles().values()) add(file, true)
  for (const r of records.values()) add(r.file, false)
  return out
}
