// The "direct" baseline of the Wasm overhead benchmark: the least a person would write to serve a
// WASI preview1 CGI module with Node alone (compile once, a fresh instance per request, stdout to
// a temp file), with none of Worldbench (no host protocol, no worker, no limits, no sandbox checks).

import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { WASI } from 'node:wasi'

const [file, port] = process.argv.slice(2)
const module = await WebAssembly.compile(readFileSync(file))
const dir = mkdtempSync(join(tmpdir(), 'wb-direct-'))
let n = 0

createServer(async (req, res) => {
  const out = join(dir, `out-${n++}`)
  const fd = openSync(out, 'w+')
  const url = new URL(req.url, 'http://x')
  const wasi = new WASI({
    version: 'preview1',
    args: ['hello'],
    env: { REQUEST_METHOD: req.method, QUERY_STRING: url.search.slice(1), GATEWAY_INTERFACE: 'CGI/1.1' },
    stdout: fd,
    returnOnExit: true,
  })
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject())
  wasi.start(instance)
  closeSync(fd)
  const text = readFileSync(out, 'utf8')
  rmSync(out)
  const split = text.indexOf('\r\n\r\n')
  res.writeHead(200, { 'content-type': 'text/plain' }).end(text.slice(split + 4))
}).listen(Number(port), '127.0.0.1')

process.on('SIGTERM', () => {
  rmSync(dir, { recursive: true, force: true })
  process.exit(0)
})
