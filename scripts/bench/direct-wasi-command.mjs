// The baseline of `worldbench run`: the same command module through node:wasi directly.
import { readFileSync } from 'node:fs'
import { WASI } from 'node:wasi'

process.removeAllListeners('warning')
const [file, ...args] = process.argv.slice(2)
const wasi = new WASI({ version: 'preview1', args: [file, ...args], env: {}, returnOnExit: true })
const module = await WebAssembly.compile(readFileSync(file))
process.exitCode = wasi.start(await WebAssembly.instantiate(module, wasi.getImportObject()))
