/**
 * `worldbench run file.wasm`: one Wasm workload without a world file, like `wasmtime run`.
 * command: runs in this process (run-inline.ts) and resolves with the guest's exit code.
 * cgi/http: starts a host process and resolves, once it serves, with its URL and a stop function.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { devNull, tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import type { LogLine } from '../../../contract/api.ts'
import { WASM_DEFAULT_MEMORY_MIB } from '../../core/world/kinds/wasm-defaults.ts'
import type { Workload } from '../../core/world/schema.ts'
import type { GuestDir, ServeMode } from './host/protocol.ts'
import type { InlineRun } from './host/run-inline.ts'
import { readWasm } from './module/load-module.ts'
import { wasmFormat } from './module/wasm-bytes.ts'

export interface RunDirectOptions {
  file: string
  dirs?: GuestDir[]
  env?: Record<string, string>
  args?: string[]
  /** Default: http for a component, command for a module. */
  serve?: ServeMode
  /** Host port on 127.0.0.1 for cgi/http; 0 or absent picks a free one. */
  port?: number
  memoryMiB?: number
  timeoutSeconds?: number
  /**
   * Where log lines go. Default: the guest's stdout and stderr are this process's, byte for
   * byte; Worldbench's own lines go to stderr only when verbose.
   */
  onLog?: (line: LogLine) => void
  verbose?: boolean
}

export interface RunDirectServing {
  url: string
  pid: number
  stop(): Promise<void>
  /** Settles when the host ends (after stop(), or if it fails). */
  exited: Promise<void>
}

export async function runWasmDirect(
  opts: RunDirectOptions & { serve: 'cgi' | 'http' },
): Promise<RunDirectServing>
export async function runWasmDirect(
  opts: RunDirectOptions & { serve?: 'command' },
): Promise<number | RunDirectServing>
export async function runWasmDirect(opts: RunDirectOptions): Promise<number | RunDirectServing>
export async function runWasmDirect(opts: RunDirectOptions): Promise<number | RunDirectServing> {
  const file = resolve(opts.file)
  const format = wasmFormat(await readWasm(file))
  const serve = opts.serve ?? (format === 'component' ? 'http' : 'command')
  const name =
    basename(file)
      .replace(/\.wasm$/, '')
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+/, '')
      .slice(0, 63) || 'wasm'
  if (serve === 'command') return runCommand(opts, file, name)
  const limits: Record<string, number> = {}
  if (opts.memoryMiB !== undefined) limits.memoryMiB = opts.memoryMiB
  if (opts.timeoutSeconds !== undefined) limits.timeoutSeconds = opts.timeoutSeconds
  // The schemas only for a module that serves: a command's run loads none (see runCommand).
  const { WorkloadSchema } = await import('../../core/world/schema.ts')
  const { withDefaultLimits } = await import('../../core/world/place.ts')
  const workload: Workload = withDefaultLimits({
    ...WorkloadSchema.parse({
      name,
      kind: 'wasm',
      wasm: {
        module: file,
        serve,
        allowHttp: [],
        link: {},
        dirs: (opts.dirs ?? []).map((d) => ({ ...d, host: resolve(d.host) })),
      },
      ports: [{ host: opts.port ?? 0, guest: opts.port || 8080 }],
      env: opts.env ?? {},
      args: opts.args ?? [],
      limits,
    }),
    world: 'run',
  })
  const { WasmRuntime } = await import('./wasm-runtime.ts')
  // One workload and out: a host booted ahead for a next start would only be thrown away.
  const runtime = new WasmRuntime({ spareHost: false })
  const artifact = await runtime.prepare(workload, () => {})
  const instance = await runtime.start(workload, artifact)
  const host = runtime.host(instance)!
  const onLog = opts.onLog ?? defaultLog
  const tail = host.logs.tail(5000)
  for (const l of tail) onLog(l)
  host.onLine(onLog)
  return {
    url: instance.ports[0]!.url,
    // Set by start(): a host that serves has spawned.
    pid: instance.handle.pid ?? 0,
    stop: () => runtime.stop(instance),
    exited: host.exited,
  }
}

async function runCommand(opts: RunDirectOptions, file: string, name: string): Promise<number> {
  const run = (io: InlineRun['io'], onSystem: (line: string) => void) =>
    import('./host/run-inline.ts').then(({ runCommandInline }) =>
      runCommandInline({
        file,
        argv: [name, ...(opts.args ?? [])],
        env: opts.env ?? {},
        dirs: (opts.dirs ?? []).map((d) => ({ host: resolve(d.host), guest: d.guest, writable: d.writable })),
        memoryMiB: opts.memoryMiB ?? WASM_DEFAULT_MEMORY_MIB,
        ...(opts.timeoutSeconds !== undefined && { timeoutSeconds: opts.timeoutSeconds }),
        io,
        onSystem,
      }),
    )
  const onLog = opts.onLog
  if (!onLog) {
    const system = opts.verbose ? (line: string) => process.stderr.write(`[worldbench] ${line}\n`) : () => {}
    return run({ stdin: 0, stdout: 1, stderr: 2 }, system)
  }
  // Node's WASI takes stdio as fds only: collect the guest's output in files, then hand it on as lines.
  const dir = mkdtempSync(join(tmpdir(), 'worldbench-run-'))
  const paths = { stdout: join(dir, 'stdout'), stderr: join(dir, 'stderr') }
  const fds = [openSync(devNull, 'r'), openSync(paths.stdout, 'w'), openSync(paths.stderr, 'w')]
  const emit = (stream: LogLine['stream'], line: string) => onLog({ t: Date.now(), stream, line })
  let code: number
  try {
    code = await run({ stdin: fds[0]!, stdout: fds[1]!, stderr: fds[2]! }, (l) => emit('system', l))
  } finally {
    for (const fd of fds) closeSync(fd)
    for (const stream of ['stdout', 'stderr'] as const) {
      const text = readFileSync(paths[stream], 'utf8')
      for (const line of text.split('\n').slice(0, text.endsWith('\n') ? -1 : undefined)) emit(stream, line)
    }
    rmSync(dir, { recursive: true, force: true })
  }
  emit('system', `exited with code ${code}`)
  return code
}

function defaultLog(l: LogLine): void {
  if (l.stream === 'stdout') process.stdout.write(`${l.line}\n`)
  else if (l.stream === 'stderr') process.stderr.write(`${l.line}\n`)
  else process.stderr.write(`[worldbench] ${l.line}\n`)
}
