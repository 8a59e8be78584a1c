/**
 * Components run as JS: jco transpiles one into ES modules plus core .wasm files, written once
 * per content hash under the state dir and reused by every later start. The WASI imports are
 * mapped to preview2-shim by absolute URL, so the output loads from any folder.
 */
import { existsSync } from 'node:fs'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { WorldbenchError } from '../../../core/errors.ts'
import { stateSubdir } from '../../../core/paths.ts'
import { sha256 } from './sha256.ts'

const SHIM_PACKAGES = ['cli', 'clocks', 'filesystem', 'http', 'io', 'random', 'sockets']
const ENTRY = 'component.js'

/** A WIT interface the component imports, satisfied by another (already transpiled) component's export. */
export interface ComponentLink {
  iface: string
  entry: string
  hash: string
}

export async function transpiledComponent(
  bytes: Uint8Array,
  hash: string,
  links: ComponentLink[] = [],
): Promise<{ entry: string; cached: boolean }> {
  // A linked build is its own cache entry: the same component linked to other components differs.
  const key = links.length
    ? sha256(new TextEncoder().encode([hash, ...links.map((l) => `${l.iface}=${l.hash}`).sort()].join('\n')))
    : hash
  const dir = join(stateSubdir('cache', 'wasm-components'), key)
  const entry = join(dir, ENTRY)
  if (existsSync(entry)) return { entry, cached: true }
  const { transpile } = await import('@bytecodealliance/jco')
  const map: Record<string, string> = {}
  for (const p of SHIM_PACKAGES)
    map[`wasi:${p}/*`] = `${import.meta.resolve(`@bytecodealliance/preview2-shim/${p}`)}#*`
  // jco exports an interface under its camelCased name, and imports it by the name after '#'.
  for (const l of links) map[l.iface] = `${pathToFileURL(l.entry).href}#${interfaceExportName(l.iface)}`
  const { files, imports } = await transpile(bytes, { name: 'component', map, noTypescript: true })
  // Every import map entry above is a file: URL; anything else is an import nothing provides.
  const unlinked = imports.filter((i) => !i.startsWith('file:'))
  if (unlinked.length) {
    throw new WorldbenchError(
      'WASM_UNLINKED_IMPORT',
      `The component imports ${unlinked.join(', ')}, which neither WASI nor a linked component provides.`,
      `Link a component that exports it in the world file: wasm.link: { '${unlinked[0]}': ./build/provider.wasm }.`,
      { imports: unlinked },
    )
  }
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

/** "example:text/shout" → "shout", "my:pkg/text-tools" → "textTools" (jco's name for the interface). */
export function interfaceExportName(iface: string): string {
  const name = iface.slice(iface.lastIndexOf('/') + 1).replace(/@.*$/, '')
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase())
}
