// Turns a core Wasm module that implements the canonical ABI by hand into a component:
// jco's componentEmbed adds the WIT world as a custom section, componentNew wraps the module.
//   usage: node scripts/component-from-core.mjs CORE.wasm WIT_DIR WORLD OUT.wasm
import { readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { componentEmbed, componentNew } from '@bytecodealliance/jco'

// Absolute paths: the WIT folder is read through WASI, whose only preopen is "/".
const [core, witPath, world, out] = process.argv.slice(2).map((a, i) => (i === 2 ? a : a && resolve(a)))
if (!out) {
  console.error('usage: node scripts/component-from-core.mjs CORE.wasm WIT_DIR WORLD OUT.wasm')
  process.exit(2)
}
const embedded = await componentEmbed({ binary: readFileSync(core), witPath, world })
const component = await componentNew(embedded, undefined)
writeFileSync(out, component)
