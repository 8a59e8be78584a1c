/**
 * `worldbench run file.wasm`: one Wasm workload without a world file, like `wasmtime run`.
 * command: resolves with the guest's exit code once it ends. cgi/http: resolves, once it
 * serves, with its URL and a stop function.
 */
import { basename, resolve } from 'node:path'
import type { LogLine } from '../../../preload/api.ts'
import { WorldbenchError } from '../../core/errors.ts'
import { type Workload, WorkloadSchema } from '../../core/world/schema.ts'
import { readWasm } from './load-module.ts'
import type { GuestDir, ServeMode } from './protocol.ts'
import { wasmFormat } from './wasm-bytes.ts'
import { WasmRuntime } from './wasm-runtime.ts'

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
  /** Where log lines go; default: guest stdout to stdout, everything else to stderr. */
  onLog?: (line: LogLine) => void
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
  const limits: Record<string, number> = {}
  if (opts.memoryMiB !== undefined) limits.memoryMiB = opts.memoryMiB
  if (opts.timeoutSeconds !== undefined) limits.timeoutSeconds = opts.timeoutSeconds
  const workload: Workload = {
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
      ports: serve === 'command' ? [] : [{ host: opts.port ?? 0, guest: opts.port || 8080 }],
      env: opts.env ?? {},
      args: opts.args ?? [],
      limits,
    }),
    world: 'run',
  }
  // One workload and out: a host booted ahead for a next start would only be thrown away.
  const runtime = new WasmRuntime({ spareHost: false })
  const artifact = await runtime.prepare(workload, () => {})
  const instance = await runtime.start(workload, artifact)
  const host = runtime.host(instance)!
  const onLog = opts.onLog ?? defaultLog
  const tail = host.logs.tail(5000)
  for (const l of tail) onLog(l)
  host.onLine(onLog)
  if (serve === 'command') {
    await host.exited
    if (host.exitCode !== undefined) return host.exitCode
    const e = host.error
    throw e
      ? new WorldbenchError(e.code, e.message, e.hint, e.details)
      : new WorldbenchError(
          'WASM_HOST_EXITED',
          `${name} ended without an exit code: ${host.reason ?? 'unknown reason'}.`,
          'See the log lines above.',
        )
  }
  return {
    url: instance.ports[0]!.url,
    // Set by start(): a host that serves has spawned.
    pid: instance.handle.pid ?? 0,
    stop: () => runtime.stop(instance),
    exited: host.exited,
  }
}

function defaultLog(l: LogLine): void {
  if (l.stream === 'stdout') process.stdout.write(`${l.line}\n`)
  else if (l.stream === 'stderr') process.stderr.write(`${l.line}\n`)
  else process.stderr.write(`[worldbench] ${l.line}\n`)
}
