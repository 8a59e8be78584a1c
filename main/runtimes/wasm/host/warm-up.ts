/**
 * Readies a spare host before it has a workload: compiles the module about to start (kept, by its
 * bytes, for start()), and once sends one request through the CGI path to a built-in probe
 * module, so Node's lazily loaded HTTP, WASI and V8 code is in place before the first real
 * request. No workload code runs here; the probe has nothing but its own stdout.
 */
import { writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { loadModule } from '../module/load-module.ts'
import { exposedGc } from './garbage-collector.ts'
import type { HostConfig, WarmHint } from './protocol.ts'
import { serveCgi } from './serve-cgi.ts'

/** The probe's source; its bytes below are checked against it by a unit test. */
export const PROBE_WAT = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "Content-Type: text/plain\\0a\\0awarm\\0a")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 31))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`

export const PROBE_WASM = Buffer.from(
  'AGFzbQEAAAABDAJgBH9/f38Bf2AAAAIjARZ3YXNpX3NuYXBzaG90X3ByZXZpZXcxCGZkX3dyaXRlAAADAgEBBQMBAAEHEwIGbWVtb3J5AgAGX3N0YXJ0AAEKHQEbAEEAQRA2AgBBBEEfNgIAQQFBAEEBQQgQABoLCyUBAEEQCx9Db250ZW50LVR5cGU6IHRleHQvcGxhaW4KCndhcm0KABIEbmFtZQELAQAIZmRfd3JpdGU=',
  'base64',
)

let probed = false

export async function warmUp(hint: WarmHint, tmpDir: string): Promise<void> {
  // A module that does not load says so at start(), with the workload's name on the error.
  if (hint.file) await loadModule(hint.file, hint.memoryMiB).catch(() => undefined)
  if (probed) return
  probed = true
  const file = join(tmpDir, 'warm-up-probe.wasm')
  writeFileSync(file, PROBE_WASM)
  const config: HostConfig = {
    name: 'warm-up probe',
    file,
    format: 'module',
    serve: 'cgi',
    args: [],
    env: {},
    dirs: [],
    workers: 1,
    port: 0,
  }
  let url: string | undefined
  const serving = await serveCgi({
    config,
    tmpDir,
    log: () => {},
    mark: () => {},
    send: (m) => {
      if (m.type === 'ready') url = m.url
    },
  })
  try {
    if (url) await get(url)
  } finally {
    await serving.stop()
  }
  // The probe's garbage goes before a workload comes.
  exposedGc?.()
}

/** A plain socket, not node:http's client: a host never uses that client, so it need not load. */
function get(url: string): Promise<void> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () =>
      socket.end(`GET / HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`),
    )
    socket.on('data', () => {})
    socket.on('close', () => resolve())
    socket.on('error', () => resolve())
  })
}
