import { existsSync, readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { WorldbenchError } from '../errors.ts'
import { projectRoot } from '../paths.ts'
import type { Store } from '../store.ts'

/** The sample worlds that ship with Worldbench: resources/worlds/<name>/world.yaml. */
export function sampleWorldFiles(): Map<string, string> {
  const dir = join(projectRoot(), 'resources', 'worlds')
  const out = new Map<string, string>()
  if (!existsSync(dir)) return out
  for (const name of readdirSync(dir).sort()) {
    const file = join(dir, name, 'world.yaml')
    if (existsSync(file)) out.set(name, file)
  }
  return out
}

/** A world reference is a sample name, the name of a world launched before, or a file path. */
export function resolveWorldRef(ref: string, store: Store): string {
  const sample = sampleWorldFiles().get(ref)
  if (sample) return sample
  const known = store.worlds().find((w) => w.name === ref)
  if (known) return known.file
  const file = resolve(ref)
  if (existsSync(file)) return file
  const samples = [...sampleWorldFiles().keys()].join(', ')
  throw new WorldbenchError(
    'WORLD_NOT_FOUND',
    `No world named "${ref}" and no file at ${file}.`,
    `Use a sample (${samples || 'none installed'}) or the path of a world.yaml.`,
  )
}
