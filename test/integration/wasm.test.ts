/**
 * The wasm runtime with real execution: preview 1 modules through Node's WASI in host
 * processes, and a jco-built wasi:http component. Samples and fixtures come from
 * scripts/build-wasm-samples.sh (clang-14 + wasi-libc, gcc, jco componentize).
 */
import { execFileSync, fork, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LogLine } from '../../contract/api.ts'
import { sleep } from '../../main/core/readiness.ts'
import type { Instance } from '../../main/core/runtime.ts'
import type { Workload } from '../../main/core/world/schema.ts'
import { WorkloadSchema } from '../../main/core/world/schema.ts'
import { parseCgiResponse } from '../../main/runtimes/wasm/host/cgi-response.ts'
import { hostEntry } from '../../main/runtimes/wasm/host-entry.ts'
import { inspectWasm, runWasmDirect, WasmRuntime } from '../../main/runtimes/wasm/index.ts'
import { requireEngine } from './engines.ts'
import { alive } from './helpers.ts'

const root = resolve(import.meta.dirname, '../..')
const hello = join(root, 'resources/worlds/hello-trio/build/hello.wasm')
const helloNative = join(root, 'resources/worlds/hello-trio/build/hello-native')
const filter = join(root, 'resources/worlds/edge-filter/build/edge-filter.wasm')
const fx = (name: string) => join(root, 'test/fixtures/wasm/build', name)

const runtime = new WasmRuntime()
const started: Instance[] = []

function workload(
  name: string,
  wasm: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Workload {
  return { ...WorkloadSchema.parse({ name, kind: 'wasm', wasm, ...extra }), world: 'wasm-test' }
}

async function up(w: Workload): Promise<Instance> {
  const i = await runtime.start(w, await runtime.prepare(w, () => {}))
  started.push(i)
  return i
}

/** Runs a command workload to its end: exit code (or error) and every log line. */
async function runCommand(w: Workload) {
  const i = await up(w)
  const host = runtime.host(i)!
  await host.exited
  const lines: LogLine[] = []
  for await (const l of runtime.logs(i)) lines.push(l)
  return {
    exitCode: host.exitCode,
    state: host.state,
    error: host.error,
    text: lines.map((l) => `${l.stream}: ${l.line}`).join('\n'),
  }
}

beforeAll(() => {
  const clang = spawnSync('clang-14', ['--version']).status === 0
  requireEngine(
    'clang-14 (wasm32-wasi)',
    clang,
    'apt-get install -y clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32 gcc',
  )
  execFileSync('bash', [join(root, 'scripts/build-wasm-samples.sh')], { stdio: 'inherit' })
}, 240_000)

afterAll(async () => {
  await Promise.all(started.map((i) => runtime.stop(i, { timeoutMs: 1000 })))
})

describe('cgi mode', () => {
  it('serves the hello handler with CGI variables and the body on stdin', async () => {
    const i = await up(workload('hello-cgi', { module: hello, serve: 'cgi' }))
    expect(i.state).toBe('running')
    const res = await fetch(`${i.ports[0]!.url}greet?name=wb`, { method: 'POST', body: 'twelve bytes' })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/plain')
    expect(await res.text()).toBe('Hello from Worldbench!\nmethod: POST\nquery: name=wb\nbody-bytes: 12\n')
    const s = await runtime.sample(i)
    expect(s.memoryBytes).toBeGreaterThan(10 * 2 ** 20)
  })

  it('answers with the same body bytes as the native binary run as CGI', async () => {
    const i = await up(workload('hello-same', { module: hello, serve: 'cgi' }))
    const body = 'same bytes'
    const wasmBody = new Uint8Array(
      await (await fetch(`${i.ports[0]!.url}x?q=1`, { method: 'PUT', body })).arrayBuffer(),
    )
    const native = spawnSync(helloNative, [], {
      input: body,
      env: {
        GATEWAY_INTERFACE: 'CGI/1.1',
        REQUEST_METHOD: 'PUT',
        QUERY_STRING: 'q=1',
        PATH_INFO: '/x',
        CONTENT_LENGTH: String(body.length),
      },
    })
    const parsed = parseCgiResponse(native.stdout)
    expect(parsed.ok).toBe(true)
    if (parsed.ok) expect(Buffer.from(wasmBody).equals(Buffer.from(parsed.response.body))).toBe(true)
  })

  it('ends a runaway request at its time limit with 504, and keeps serving', async () => {
    const i = await up(
      workload('loop-cgi', { module: fx('loop.wasm'), serve: 'cgi' }, { limits: { timeoutSeconds: 0.5 } }),
    )
    const t0 = performance.now()
    const res = await fetch(i.ports[0]!.url)
    const ms = performance.now() - t0
    expect(res.status).toBe(504)
    expect(await res.text()).toMatch(/WASM_TIMEOUT/)
    expect(ms).toBeLessThan(3000)
    expect((await fetch(i.ports[0]!.url)).status).toBe(504) // a fresh worker took the next request
    expect(runtime.host(i)!.state).toBe('running')
  })
})

describe('command mode', () => {
  it('passes args, reports stdout as logs and the exit code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-wasm-in-'))
    writeFileSync(join(dir, 'note.txt'), 'inside the sandbox\n')
    const r = await runCommand(
      workload(
        'reader-ok',
        { module: fx('reader.wasm'), dirs: [{ host: dir, guest: '/data' }] },
        { args: ['/data/note.txt'] },
      ),
    )
    expect(r.exitCode).toBe(0)
    expect(r.state).toBe('stopped')
    expect(r.text).toContain('stdout: read: inside the sandbox')
  })

  it('cannot read a file outside its declared directories', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-wasm-in-'))
    const outside = join(mkdtempSync(join(tmpdir(), 'wb-wasm-out-')), 'secret.txt')
    writeFileSync(outside, 'secret\n')
    for (const path of [outside, `/data/../${outside}`, '/etc/hostname']) {
      const r = await runCommand(
        workload(
          'reader-no',
          { module: fx('reader.wasm'), dirs: [{ host: dir, guest: '/data' }] },
          { args: [path] },
        ),
      )
      expect(r.exitCode).toBe(2)
      expect(r.state).toBe('failed')
      expect(r.text).toMatch(/open .* failed/)
      expect(r.text).not.toContain('read: secret')
    }
  })

  it('keeps a directory read-only unless it is declared writable, and logs the denial', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-wasm-ro-'))
    const ro = await runCommand(
      workload(
        'writer-ro',
        { module: fx('reader.wasm'), dirs: [{ host: dir, guest: '/data' }] },
        { args: ['--write', '/data/out.txt'] },
      ),
    )
    expect(ro.exitCode).toBe(2)
    expect(ro.text).toMatch(/system: denied: write access to "out.txt" in read-only directory \/data/)
    expect(existsSync(join(dir, 'out.txt'))).toBe(false)
    const rw = await runCommand(
      workload(
        'writer-rw',
        { module: fx('reader.wasm'), dirs: [{ host: dir, guest: '/data', writable: true }] },
        { args: ['--write', '/data/out.txt'] },
      ),
    )
    expect(rw.exitCode).toBe(0)
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('written by the guest\n')
  })

  it('reports a trap with its reason', async () => {
    const r = await runCommand(workload('trap', { module: fx('trap.wasm') }))
    expect(r.state).toBe('failed')
    expect(r.error?.code).toBe('WASM_TRAP')
    expect(r.error?.message).toMatch(/unreachable/)
    expect(r.text).toContain('stdout: about to trap')
  })

  it('stops a run past its wall-clock limit', async () => {
    const r = await runCommand(
      workload('loop', { module: fx('loop.wasm') }, { limits: { timeoutSeconds: 0.5 } }),
    )
    expect(r.error?.code).toBe('WASM_TIMEOUT')
  })

  it('caps linear memory at limits.memoryMiB', async () => {
    const r = await runCommand(workload('hog', { module: fx('hog.wasm') }, { limits: { memoryMiB: 16 } }))
    expect(r.error?.code).toBe('WASM_MEMORY_LIMIT')
    expect(r.text).toMatch(/stderr: out of memory after (1[0-5]|[0-9]) MiB/)
    const free = await runCommand(
      workload('hog-free', { module: fx('hog.wasm') }, { limits: { memoryMiB: 64 } }),
    )
    expect(free.text).toMatch(/out of memory after (4[89]|5[0-9]|6[0-3]) MiB/)
  })

  it('runs through runWasmDirect and resolves with the exit code', async () => {
    const lines: string[] = []
    const code = await runWasmDirect({
      file: fx('reader.wasm'),
      args: ['/nowhere'],
      onLog: (l) => lines.push(l.line),
    })
    expect(code).toBe(2)
    expect(lines.join('\n')).toContain('open /nowhere failed')
  })
})

describe('bad input', () => {
  const prepare = (file: string, serve = 'command') =>
    runtime.prepare(workload('bad', { module: file, serve }), () => {})

  it('refuses a file that is not Wasm', async () => {
    await expect(prepare(fx('not-wasm.wasm'))).rejects.toMatchObject({ code: 'WASM_NOT_WASM' })
  })

  it('gives the validation message for a truncated module', async () => {
    const err = (await prepare(fx('truncated.wasm')).catch((e: unknown) => e)) as Error & { code: string }
    expect(err.code).toBe('WASM_INVALID')
    expect(err.message).toMatch(/truncated.wasm is not a valid WebAssembly module: .+/)
    expect(err.message).not.toMatch(/\n\s+at /)
  })

  it('names the imports the engine cannot satisfy', async () => {
    await expect(prepare(fx('imports-env.wasm'))).rejects.toMatchObject({
      code: 'WASM_UNSATISFIED_IMPORTS',
      message: expect.stringContaining('env.host_magic (function)'),
    })
  })
})

describe('http mode (component)', () => {
  it('serves the edge-filter component on 127.0.0.1', async () => {
    const i = await up(workload('edge', { module: filter, serve: 'http' }))
    const url = i.ports[0]!.url
    const ok = await fetch(`${url}hello`)
    expect(ok.status).toBe(200)
    expect(ok.headers.get('x-filter')).toBe('edge-filter')
    expect(await ok.text()).toBe('edge-filter: allowed /hello\n')
    const admin = await fetch(`${url}admin/users`)
    expect(admin.status).toBe(403)
    expect(await admin.text()).toContain('path under /admin')
    expect((await fetch(`${url}ok`, { headers: { 'x-block': 'yes' } })).status).toBe(403)
  })
})

describe('inspect', () => {
  it("shows a module's imports, exports and WASI version", async () => {
    const r = await inspectWasm(hello)
    expect(r.format).toBe('module')
    if (r.format !== 'module') return
    expect(r.wasi).toBe('preview1')
    expect(r.exports).toContainEqual({ name: '_start', kind: 'function' })
    expect(r.imports).toContainEqual({ module: 'wasi_snapshot_preview1', name: 'fd_write', kind: 'function' })
  })

  it("shows a component's WIT world", async () => {
    const r = await inspectWasm(filter)
    expect(r.format).toBe('component')
    if (r.format !== 'component') return
    expect(r.exports).toEqual(['wasi:http/incoming-handler@0.2.12'])
    expect(r.imports).toContain('wasi:http/types@0.2.12')
    expect(r.wit).toMatch(/world root \{/)
  })
})

describe('host process', () => {
  it('dies when its parent is killed', async () => {
    const parent = fork(join(root, 'test/fixtures/wasm/host-parent.ts'), [hello, '0'], {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    })
    const hostPid = await new Promise<number>((resolve, reject) => {
      let out = ''
      parent.stdout!.on('data', (d: Buffer) => {
        out += d.toString()
        const m = /HOST (\d+)/.exec(out)
        if (m) resolve(Number(m[1]))
      })
      parent.once('exit', () => reject(new Error('parent exited early')))
    })
    expect(alive(hostPid)).toBe(true)
    parent.kill('SIGKILL')
    const t0 = performance.now()
    while (alive(hostPid) && performance.now() - t0 < 5000) await sleep(50)
    expect(alive(hostPid)).toBe(false)
  })
})

describe('host process over a parentPort (as in an Electron utility process)', () => {
  it('takes its workload and answers through process.parentPort', async () => {
    const host = fork(hostEntry().host, [], {
      execArgv: ['--import', join(root, 'test/fixtures/wasm/fake-parent-port.mjs')],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    })
    try {
      const ready = new Promise<string>((resolve, reject) => {
        host.on('message', (m: { viaParentPort?: { type: string; url?: string } }) => {
          if (m.viaParentPort?.type === 'ready') resolve(m.viaParentPort.url!)
        })
        host.once('exit', () => reject(new Error('the host exited before it was ready')))
      })
      host.send({
        type: 'start',
        id: 'port-check',
        own: true,
        config: {
          name: 'port-check',
          file: hello,
          format: 'module',
          serve: 'cgi',
          args: [],
          env: {},
          dirs: [],
          port: 0,
          workers: 1,
        },
      })
      const res = await fetch(await ready)
      expect(await res.text()).toContain('Hello from Worldbench!')
      const exited = new Promise((resolve) => host.once('exit', resolve))
      host.send({ type: 'stop' })
      expect(await exited).toBe(0)
    } finally {
      host.kill('SIGKILL')
    }
  })
})

describe('spare host', () => {
  it("boots at prepare, is the next start's host, and is replaced by a fresh one", async () => {
    const spares = new WasmRuntime()
    try {
      // The engine report (recorded with every bench run) says how Wasm starts are measured.
      expect((await spares.probe()).details.hosts).toMatch(/booted ahead/)
      expect((await new WasmRuntime({ spareHost: false }).probe()).details.hosts).toMatch(/started with it/)
      const w = workload('spare-cgi', { module: hello, serve: 'cgi' })
      const artifact = await spares.prepare(w, () => {})
      const spare = spares.spareHostPid()
      expect(spare).toBeGreaterThan(0)
      expect(alive(spare!)).toBe(true)
      const i = await spares.start(w, artifact)
      expect(i.handle.pid).toBe(spare)
      const res = await fetch(i.ports[0]!.url)
      expect(res.status).toBe(200)
      expect(await res.text()).toContain('Hello from Worldbench!')
      const next = spares.spareHostPid()
      expect(next).toBeGreaterThan(0)
      expect(next).not.toBe(spare)
      // The probe the spare was warmed with left no trace in the workload's log.
      expect(
        spares
          .host(i)!
          .logs.tail(100)
          .map((l) => l.line)
          .join('\n'),
      ).not.toMatch(/probe/)
      await spares.stop(i)
      spares.retire()
      const t0 = performance.now()
      while (alive(next!) && performance.now() - t0 < 5000) await sleep(50)
      expect(alive(next!)).toBe(false)
    } finally {
      await spares.close()
    }
  })

  it('does not keep its parent alive, and ends with it', async () => {
    const parent = fork(join(root, 'test/fixtures/wasm/spare-parent.ts'), [hello], {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    })
    parent.channel?.unref()
    let out = ''
    parent.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
    })
    const code = await new Promise<number | null>((resolve) => parent.once('exit', resolve))
    expect(code).toBe(0)
    const spare = Number(/SPARE (\d+)/.exec(out)?.[1])
    expect(spare).toBeGreaterThan(0)
    const t0 = performance.now()
    while (alive(spare) && performance.now() - t0 < 5000) await sleep(50)
    expect(alive(spare)).toBe(false)
  })
})
