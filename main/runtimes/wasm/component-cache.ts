/**
 * Components run as JS: jco transpiles one into ES modules plus core .wasm files, written once
 * per content hash under the state dir and reused by every later start. The WASI imports are
 * mapped to preview2-shim by absolute URL, so the output loads from any folder.
 */
import { existsSync } from 'node:fs'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { stateSubdir } from '../../core/paths.ts'

const SHIM_PACKAGES = ['cli', 'clocks', 'filesystem', 'http', 'io', 'random', 'sockets']
const ENTRY = 'component.js'

export async function transpiledComponent(bytes: Uint8Array, hash: string): Promise<{ entry: string; cached: boolean }> {
  const dir = join(stateSubdir('cache', 'wasm-components'), hash)
  const entry = join(dir, ENTRY)
  if (existsSync(entry)) return { entry, cached: true }
  const { transpile } = await import('@bytecodealliance/jco')
  const map: Record<string, string> = {}
  for (const p of SHIM_PACKAGES) map[`wasi:${p}/*`] = `${import.meta.resolve(`@bytecodealliance/preview2-shim/${p}`)}#*`
  const { files } = await transpile(bytes, { name: 'component', map, noTypescript: true })
  const staging = `${dir}.tmp-${process.pid}`
  await rm(staging, { recursive: true, force: true })
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(staging, name)), { recursive: true })
    await writeFile(join(staging, name), content)
  }
  await writeFile(join(staging, 'package.json'), '{"type":"module"}\n')
  await rm(dir, { recursive: true, force: true })
  await rename(staging, dir)
  return { entry, cached: false }
}
