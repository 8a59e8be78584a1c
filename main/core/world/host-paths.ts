/**
 * Where a world's paths really lead on the host. A path that stays inside the world's folder as
 * written can still leave it through a symlink, so the checks here use real paths.
 */
import { existsSync, realpathSync, statSync } from 'node:fs'
import { dirname, relative, resolve, sep } from 'node:path'

/** The real path of `path` when it (or, if missing, its nearest existing parent) lies outside `folder`. */
export function realPathOutside(folder: string, path: string): string | undefined {
  if (!existsSync(folder)) return undefined
  const realFolder = realpathSync(folder)
  let at = resolve(folder, path)
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at)
  const real = realpathSync(at)
  const rel = relative(realFolder, real)
  return rel === '..' || rel.startsWith(`..${sep}`) || resolve(realFolder, rel) !== real ? real : undefined
}

/** What is wrong with a wasm.dirs[].host, or nothing. */
export function dirHostProblem(folder: string, host: string, outside: boolean): string | undefined {
  const abs = resolve(folder, host)
  let isDir: boolean
  try {
    isDir = statSync(abs).isDirectory()
  } catch {
    return `directory "${host}" does not exist (${abs}); create it or fix the path`
  }
  if (!isDir) return `"${host}" is a file, not a directory; preopen the folder that holds it`
  if (outside) return undefined
  const real = realPathOutside(folder, host)
  if (real !== undefined)
    return `directory "${host}" leads outside the world's folder (to ${real}); move it inside, or add "outside: true" to grant it anyway`
  return undefined
}
