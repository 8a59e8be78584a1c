import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { WorldbenchError } from '../errors.ts'
import type { World } from './schema.ts'

/** The scripts a world would run on this machine, as the user: prepare, vm.build, wasm.build. */
export function worldScripts(world: World): string[] {
  const all = world.workloads.flatMap((w) => [w.prepare, w.vm?.build, w.wasm?.build])
  return [...new Set(all.filter((s): s is string => s !== undefined))].sort()
}

/** One hash over the world file and every script it names: changing any of them asks again. */
export async function worldTrustHash(world: World): Promise<string> {
  const hash = createHash('sha256')
  hash.update(await readFile(world.file))
  for (const script of worldScripts(world)) {
    hash.update(`\0${script}\0`)
    hash.update(await readFile(script).catch(() => Buffer.from('(missing)')))
  }
  return hash.digest('hex')
}

export interface TrustCheck {
  file: string
  sha256: string
  scripts: string[]
}

/** Throws WORLD_NOT_TRUSTED (with the hash to trust) unless the world runs no script or was trusted as it is. */
export async function assertTrusted(world: World, trustedHash: string | undefined): Promise<void> {
  const scripts = worldScripts(world)
  if (scripts.length === 0) return
  const sha256 = await worldTrustHash(world)
  if (trustedHash === sha256) return
  const details: TrustCheck = { file: world.file, sha256, scripts }
  throw new WorldbenchError(
    'WORLD_NOT_TRUSTED',
    `World "${world.name}" (${world.file}) runs ${scripts.length === 1 ? 'a script' : 'scripts'} on this machine as you: ${scripts.join(', ')}. ${
      trustedHash ? 'They changed since you trusted them.' : 'You have not trusted them yet.'
    }`,
    'Read them first. Then trust the world: "worldbench up FILE --yes", or confirm in the app (trustWorld with this hash).',
    { ...details },
  )
}
