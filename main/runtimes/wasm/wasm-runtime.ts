/**
 * The `wasm` runtime: Wasm embedded in Worldbench. prepare() checks a module (or transpiles a
 * component, cached by hash); start() puts a cgi module in its world's shared host process (one
 * per world, started on demand from the spare host), or gives the workload a host of its own
 * (isolation: process; always for command and http); adopt() finds nothing, because hosts die
 * with their parent and the Supervisor restarts them from the desired state it stores.
 */

import { stat } from 'node:fs/promises'
import type { CostPart, EngineStatus, LogLine, PortBinding, Sample } from '../../../contract/api.ts'
import { WorldbenchError } from '../../core/errors.ts'
import { newInstanceId } from '../../core/ids.ts'
import { instanceGone } from '../../core/instance-gone.ts'
import { processPart } from '../../core/metrics/cost.ts'
import { bindPorts, urlFor } from '../../core/ports.ts'
import { runScript } from '../../core/run-script.ts'
import type {
  Artifact,
  DirectRun,
  Instance,
  LogOptions,
  Progress,
  Runtime,
  RuntimeEvent,
  StartOptions,
  TerminalStream,
} from '../../core/runtime.ts'
import type { Workload } from '../../core/world/schema.ts'
import { commandTerminal } from './command-terminal.ts'
import { startDirectCgi } from './direct-baseline.ts'
import { followLogs } from './follow-logs.ts'
import type { WarmHint } from './host/protocol.ts'
import { hostConfigOf, wasmSpec } from './host-config.ts'
import { HostHandle } from './host-handle.ts'
import { HostLink } from './host-link.ts'
import { type HostReading, shareParts, shareSample } from './host-share.ts'
import { clearWasmCache, wasmCacheEntries } from './module/cache-listing.ts'
import { type ComponentLink, transpiledComponent } from './module/component-cache.ts'
import { inspectWasm } from './module/inspect.ts'
import { loadModule, notWasm, readWasm } from './module/load-module.ts'
import { sha256 } from './module/sha256.ts'
import { wasmFormat } from './module/wasm-bytes.ts'
import { probeWasm } from './probe.ts'
import { SpareHost } from './spare-host.ts'

const DEFAULT_GRACE_MS = 3000

export interface WasmRuntimeOptions {
  /** Keep a host process booted ahead of the next start (default true; off for one-shot runs). */
  spareHost?: boolean
}

export class WasmRuntime implements Runtime {
  readonly kind = 'wasm' as const
  readonly modules = { inspect: inspectWasm, cacheEntries: wasmCacheEntries, clearCache: clearWasmCache }
  private readonly hosts = new Map<string, HostHandle>()
  /** The shared host of each world, while it has workloads. */
  private readonly shared = new Map<string, HostLink>()
  private readonly listeners = new Set<(e: RuntimeEvent) => void>()
  private readonly spare: SpareHost | undefined

  constructor(opts: WasmRuntimeOptions = {}) {
    if (opts.spareHost !== false) this.spare = new SpareHost()
  }

  probe(): Promise<EngineStatus> {
    return probeWasm(this.spare !== undefined)
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
    const declared = w.ports.length ? w.ports : [{ host: 0, guest: 8080, bind: '127.0.0.1' }]
    const [first, ...rest] = spec.serve === 'command' ? [] : declared
    // The host binds the first port itself; for "any free port" it listens on port 0 and says which
    // it got, so no other start (a hundred at once in one world) can be handed the same port.
    const anyPort = first?.host === 0
    const ports = await bindPorts(anyPort ? rest : [...(first ? [first] : []), ...rest], w.name)
    const id = opts.id ?? newInstanceId(w)
    const config = hostConfigOf(w, a.ref, a.details?.format === 'component' ? 'component' : 'module')
    if (first) config.port = first.host
    const share = config.serve === 'cgi' && config.format === 'module' && spec.isolation === 'shared'
    const { link, fresh } = this.linkFor(share ? w.world : undefined)
    const host = new HostHandle(id, link)
    this.hosts.set(id, host)
    void host.exited.then(() => this.release(link))
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
      const { url, marks } = await host.start(config)
      instance.marks = marks
      if (anyPort && url) {
        const port = Number(new URL(url).port)
        ports.unshift({ host: port, guest: first.guest, bind: first.bind, url: urlFor(first.bind, port) })
      }
    } catch (err) {
      await host.stop(500)
      throw err
    } finally {
      // The next start gets a booted host too; booted after this one serves, not competing with it.
      if (fresh) this.spare?.warm(config.format === 'module' ? warmHint(config.file, config.memoryMiB) : {})
    }
    instance.state = host.state
    // Known by now even for a utility process, which has its pid only once it has spawned.
    if (host.process.pid !== undefined) instance.handle.pid = host.process.pid
    return instance
  }

  /** The world's shared host (a new one, from the spare, if it has none), or a host of its own. */
  private linkFor(world: string | undefined): { link: HostLink; fresh: boolean } {
    const current = world === undefined ? undefined : this.shared.get(world)
    if (current && !current.closing) return { link: current, fresh: false }
    const link = new HostLink(world === undefined, this.spare?.take())
    if (world !== undefined) {
      this.shared.set(world, link)
      void link.exited.then(() => {
        if (this.shared.get(world) === link) this.shared.delete(world)
      })
    }
    return { link, fresh: true }
  }

  /** A shared host whose last workload has gone ends (its own host ends with its workload). */
  private release(link: HostLink): void {
    if (link.own || link.size > 0 || link.closing) return
    for (const [world, l] of this.shared) if (l === link) this.shared.delete(world)
    void link.close(DEFAULT_GRACE_MS)
  }

  /** serve: command only: a fresh run of the module with the session as its stdin and stdout. */
  freshTerminal(w: Workload): Promise<TerminalStream> {
    return commandTerminal(w)
  }

  async stop(i: Instance, opts?: { timeoutMs?: number }): Promise<void> {
    const host = this.hosts.get(i.id)
    if (!host) return
    await host.stop(opts?.timeoutMs ?? DEFAULT_GRACE_MS)
    this.hosts.delete(i.id)
  }

  async sample(i: Instance): Promise<Sample> {
    const { host, reading } = await this.liveReading(i)
    return shareSample(reading, i.id, host.guestCpuPercent(reading), host.link.size)
  }

  /**
   * Its instances' linear memory (with the CPU time spent in them), and an even share of what its
   * host process costs beyond every guest in it (the whole host while it serves one workload).
   */
  async cost(i: Instance): Promise<CostPart[]> {
    const { host, reading } = await this.liveReading(i)
    const whole = await processPart(reading.pid, 'wasm host', 1)
    if (!whole) throw hostGone(i)
    return shareParts(reading, i.id, whole, Math.max(1, host.link.size))
  }

  /** The host's reading, or INSTANCE_GONE when the workload's host process has ended. */
  private async liveReading(i: Instance): Promise<{ host: HostHandle; reading: HostReading }> {
    const host = this.hosts.get(i.id)
    const live = host && host.state !== 'stopped' && host.state !== 'failed'
    const reading = live ? await host.link.reading() : undefined
    if (!host || !reading) throw hostGone(i)
    return { host, reading }
  }

  /** A host booted ahead of the next start belongs to no workload yet: engine overhead. */
  async engineOverhead(): Promise<CostPart[]> {
    const pid = this.spare?.pid
    const part = pid ? await processPart(pid, 'spare wasm host') : undefined
    return part ? [part] : []
  }

  /** The bench's baseline: a CGI module served with Node's WASI alone (see direct-baseline.ts). */
  async startDirect(w: Workload, _a: Artifact, ports: PortBinding[]): Promise<DirectRun> {
    return startDirectCgi(w, ports)
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

  /** The pid of a world's shared host, if it has one (for tests and the bench). */
  sharedHostPid(world: string): number | undefined {
    return this.shared.get(world)?.process.pid
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
    await Promise.all([...this.shared.values()].map((l) => l.close(1000)))
    this.hosts.clear()
    this.shared.clear()
  }
}

const hostGone = (i: Instance) =>
  instanceGone(i, 'its Wasm host process has ended', 'It exited or was killed; see its logs.')

const warmHint = (file: string, memoryMiB: number | undefined): WarmHint =>
  memoryMiB === undefined ? { file } : { file, memoryMiB }

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
  const script = w.wasm?.build
  if (exists || !script) return
  progress({ step: 'build', message: `building ${module} with ${script}` })
  const run = await runScript('bash', [script], {
    onLine: (line) => progress({ step: 'build', message: line }),
  })
  if (run.error || run.code !== 0)
    throw new WorldbenchError(
      'WASM_BUILD_FAILED',
      `The build script ${script} for ${w.name} failed (${run.error ? run.error.message : `exit code ${run.code}`}).${run.tail.length ? `\n${run.tail.join('\n')}` : ''}`,
      'Fix what its last lines say; the Wasm samples need clang-14, lld-14, wasi-libc and libclang-rt-14-dev-wasm32.',
      { output: run.tail },
    )
}
