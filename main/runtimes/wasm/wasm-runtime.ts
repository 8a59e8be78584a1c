/**
 * The `wasm` runtime: Wasm embedded in Worldbench. prepare() checks a module (or transpiles a
 * component, cached by hash); start() gives the workload its own host process; adopt() finds
 * nothing, because hosts die with their parent and the Supervisor restarts them from the
 * desired state it stores.
 */

import { spawn } from 'node:child_process'
import { stat } from 'node:fs/promises'
import { cpus } from 'node:os'
import type { EngineStatus, LogLine, Sample } from '../../../preload/api.ts'
import { WorldbenchError } from '../../core/errors.ts'
import { newInstanceId } from '../../core/ids.ts'
import { processStats } from '../../core/metrics/process-stats.ts'
import { bindPorts } from '../../core/ports.ts'
import type { Workload } from '../../core/world/schema.ts'
import type {
  Artifact,
  Instance,
  LogOptions,
  Progress,
  Runtime,
  RuntimeEvent,
  StartOptions,
} from '../runtime.ts'
import { type ComponentLink, transpiledComponent } from './component-cache.ts'
import { followLogs } from './follow-logs.ts'
import { HostHandle } from './host-handle.ts'
import { loadModule, notWasm, readWasm } from './load-module.ts'
import type { HostConfig, WarmHint } from './protocol.ts'
import { sha256 } from './sha256.ts'
import { SpareHost } from './spare-host.ts'
import { wasmFormat } from './wasm-bytes.ts'

const DEFAULT_GRACE_MS = 3000

export interface WasmRuntimeOptions {
  /** Keep a host process booted ahead of the next start (default true; off for one-shot runs). */
  spareHost?: boolean
}

export class WasmRuntime implements Runtime {
  readonly kind = 'wasm' as const
  private readonly hosts = new Map<string, HostHandle>()
  private readonly listeners = new Set<(e: RuntimeEvent) => void>()
  private readonly spare: SpareHost | undefined

  constructor(opts: WasmRuntimeOptions = {}) {
    if (opts.spareHost !== false) this.spare = new SpareHost()
  }

  async probe(): Promise<EngineStatus> {
    const details: Record<string, string> = {
      node: process.versions.node,
      v8: process.versions.v8,
      modules: 'WASI preview 1 (node:wasi)',
      // Recorded with every bench run: a Wasm start is measured with or without a booted host.
      hosts: this.spare
        ? 'one process per workload, booted ahead of its start (spare host)'
        : 'one process per workload, started with it',
    }
    const warnings: string[] = []
    try {
      await import('@bytecodealliance/preview2-shim/http')
      details.components = 'WASI preview 2 via jco + @bytecodealliance/preview2-shim'
    } catch {
      warnings.push('preview2-shim is missing: components cannot be served (reinstall Worldbench).')
    }
    return {
      kind: 'wasm',
      available: typeof WebAssembly === 'object',
      engine: `V8 ${process.versions.v8} (embedded)`,
      version: process.versions.node,
      details,
      warnings,
    }
  }

  async prepare(w: Workload, progress: Progress): Promise<Artifact> {
    const spec = wasmSpec(w)
    await buildIfMissing(w, spec.module, progress)
    const bytes = await readWasm(spec.module)
    const format = wasmFormat(bytes)
    if (format === 'not-wasm') throw notWasm(spec.module)
    const hash = sha256(bytes)
    if (format === 'component') {
      if (spec.serve !== 'http') {
        throw new WorldbenchError(
          'WASM_COMPONENT_MODE',
          `${w.name} is a Wasm component; Worldbench serves components with "serve: http" only.`,
          'Set wasm.serve to http (a wasi:http/proxy component), or give a preview 1 module for command/cgi.',
        )
      }
      const links = await linkedComponents(w, progress)
      progress({ step: 'transpile', message: `transpiling component ${hash.slice(0, 12)} with jco` })
      const { entry, cached } = await transpiledComponent(bytes, hash, links)
      this.spare?.warm({})
      const details: Record<string, string | number> = {
        format,
        sha256: hash,
        source: spec.module,
        cached: cached ? 1 : 0,
      }
      if (links.length) details.links = links.map((l) => `${l.iface}=${l.hash.slice(0, 12)}`).join(', ')
      return { kind: 'wasm', ref: entry, bytes: bytes.length, details }
    }
    if (spec.serve === 'http') {
      throw new WorldbenchError(
        'WASM_MODULE_MODE',
        `${w.name} is a core module; "serve: http" needs a wasi:http/proxy component.`,
        'Use serve: cgi to answer HTTP with a preview 1 module (the WAGI model).',
      )
    }
    progress({ step: 'compile', message: `checking module ${hash.slice(0, 12)}` })
    const loaded = await loadModule(spec.module, w.limits.memoryMiB)
    // A Wasm workload is about to start: have its host process booted by then.
    this.spare?.warm(warmHint(spec.module, w.limits.memoryMiB))
    return {
      kind: 'wasm',
      ref: spec.module,
      bytes: bytes.length,
      details: { format, sha256: hash, compileMs: Math.round(loaded.compileMs * 100) / 100 },
    }
  }

  async start(w: Workload, a: Artifact, opts: StartOptions = {}): Promise<Instance> {
    const spec = wasmSpec(w)
    const ports =
      spec.serve === 'command'
        ? []
        : await bindPorts(w.ports.length ? w.ports : [{ host: 0, guest: 8080, bind: '127.0.0.1' }], w.name)
    const id = opts.id ?? newInstanceId(w)
    const config: HostConfig = {
      name: w.name,
      file: a.ref,
      format: a.details?.format === 'component' ? 'component' : 'module',
      serve: spec.serve,
      args: w.args,
      env: w.env,
      dirs: spec.dirs,
      workers: w.limits.cpus ? Math.max(1, Math.min(cpus().length, Math.ceil(w.limits.cpus))) : 1,
    }
    if (spec.allowHttp.length) config.allowHttp = spec.allowHttp
    if (ports[0]) config.port = ports[0].host
    if (w.limits.memoryMiB !== undefined) config.memoryMiB = w.limits.memoryMiB
    if (w.limits.timeoutSeconds !== undefined) config.timeoutSeconds = w.limits.timeoutSeconds
    const host = new HostHandle(this.spare?.take())
    this.hosts.set(id, host)
    const instance: Instance = {
      id,
      kind: 'wasm',
      world: w.world,
      workload: w.name,
      state: 'starting',
      ports,
      handle: {},
      startedAt: Date.now(),
    }
    if (w.limits.memoryMiB !== undefined) instance.guestMemoryBytes = w.limits.memoryMiB * 2 ** 20
    host.onState(() => {
      for (const l of this.listeners)
        l({ instanceId: id, state: host.state, ...(host.reason ? { reason: host.reason } : {}) })
    })
    try {
      await host.start(config)
    } catch (err) {
      await host.stop(500)
      throw err
    } finally {
      // The next start gets a booted host too; booted after this one serves, not competing with it.
      this.spare?.warm(config.format === 'module' ? warmHint(config.file, config.memoryMiB) : {})
    }
    instance.state = host.state
    // Known by now even for a utility process, which has its pid only once it has spawned.
    if (host.process.pid !== undefined) instance.handle.pid = host.process.pid
    return instance
  }

  async stop(i: Instance, opts?: { timeoutMs?: number }): Promise<void> {
    const host = this.hosts.get(i.id)
    if (!host) return
    await host.stop(opts?.timeoutMs ?? DEFAULT_GRACE_MS)
    this.hosts.delete(i.id)
  }

  async sample(i: Instance): Promise<Sample> {
    const host = this.hosts.get(i.id)
    const pid = host?.process.pid
    if (!host || pid === undefined || host.state === 'stopped' || host.state === 'failed')
      return { t: Date.now(), cpuPercent: 0, memoryBytes: 0, guestMemoryBytes: 0 }
    const [ps, stats] = await Promise.all([processStats(pid), host.stats()])
    return {
      t: Date.now(),
      cpuPercent: ps.cpuPercent,
      memoryBytes: ps.rssBytes,
      ...(ps.pssBytes !== undefined && { pssBytes: ps.pssBytes }),
      guestMemoryBytes: stats.guestMemoryBytes,
    }
  }

  logs(i: Instance, opts?: LogOptions): AsyncIterable<LogLine> {
    const host = this.hosts.get(i.id)
    if (!host) return (async function* () {})()
    return followLogs(host, opts)
  }

  /** The host behind an instance: its exit code, state and errors (for run-direct and tests). */
  host(i: Instance): HostHandle | undefined {
    return this.hosts.get(i.id)
  }

  /** The host process booted ahead of the next start, if one is up (for tests and the bench). */
  spareHostPid(): number | undefined {
    return this.spare?.pid
  }

  async adopt(): Promise<Instance[]> {
    return []
  }

  watch(listener: (e: RuntimeEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  retire(): void {
    this.spare?.close()
  }

  async close(): Promise<void> {
    this.spare?.close()
    await Promise.all([...this.hosts.values()].map((h) => h.stop(1000)))
    this.hosts.clear()
  }
}

const warmHint = (file: string, memoryMiB: number | undefined): WarmHint =>
  memoryMiB === undefined ? { file } : { file, memoryMiB }

function wasmSpec(w: Workload): NonNullable<Workload['wasm']> {
  if (!w.wasm)
    throw new WorldbenchError(
      'WASM_SPEC_MISSING',
      `${w.name} has no "wasm" section.`,
      'Add wasm: { module: ./file.wasm }.',
    )
  return w.wasm
}

/** Transpiles each component named in wasm.link, so the main component's imports can load its exports. */
async function linkedComponents(w: Workload, progress: Progress): Promise<ComponentLink[]> {
  const links: ComponentLink[] = []
  for (const [iface, file] of Object.entries(w.wasm?.link ?? {})) {
    const bytes = await readWasm(file)
    const format = wasmFormat(bytes)
    if (format === 'not-wasm') throw notWasm(file)
    if (format !== 'component') {
      throw new WorldbenchError(
        'WASM_LINK_NOT_COMPONENT',
        `${file}, linked to ${w.name} for ${iface}, is a core module, not a component.`,
        'Make it a component that exports the interface (e.g. jco componentEmbed + componentNew, or jco new).',
      )
    }
    const { componentWit } = await import('@bytecodealliance/jco')
    const exported = (await componentWit(bytes))
      .split('\n')
      .map((l) => l.trim())
      .some((l) => l.startsWith(`export ${iface};`) || l.startsWith(`export ${iface}@`))
    if (!exported) {
      throw new WorldbenchError(
        'WASM_LINK_MISSING_EXPORT',
        `${file}, linked to ${w.name} for ${iface}, does not export ${iface}.`,
        'Link a component whose world exports that interface (see "jco wit FILE").',
      )
    }
    const hash = sha256(bytes)
    progress({
      step: 'transpile',
      message: `transpiling linked component ${iface} (${hash.slice(0, 12)}) with jco`,
    })
    links.push({ iface, hash, entry: (await transpiledComponent(bytes, hash)).entry })
  }
  return links
}

async function buildIfMissing(w: Workload, module: string, progress: Progress): Promise<void> {
  const exists = await stat(module).then(
    () => true,
    () => false,
  )
  if (exists || !w.wasm?.build) return
  progress({ step: 'build', message: `building ${module} with ${w.wasm.build}` })
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn('bash', [w.wasm!.build!], { stdio: ['ignore', 'inherit', 'inherit'] })
    child.on('error', reject)
    child.on('close', (c) => resolve(c ?? 1))
  })
  if (code !== 0)
    throw new WorldbenchError(
      'WASM_BUILD_FAILED',
      `The build script ${w.wasm.build} for ${w.name} failed (exit code ${code}).`,
      'Run it by hand to see why; the Wasm samples need clang-14, lld-14, wasi-libc and libclang-rt-14-dev-wasm32.',
    )
}
