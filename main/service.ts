import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { BenchReport, DoctorReport, Handlers, InstanceInfo, WorldSummary } from '../preload/api.ts'
import { BenchRunner } from './core/bench/runner.ts'
import { WorldbenchError } from './core/errors.ts'
import { EventBus } from './core/events.ts'
import { stateDir } from './core/paths.ts'
import { Sampler, type SamplerOptions } from './core/sampler.ts'
import { Store } from './core/store.ts'
import { Supervisor } from './core/supervisor.ts'
import { resolveWorldRef, sampleWorldFiles } from './core/world/catalog.ts'
import { checkWorldText, loadWorld, validateWorldFile } from './core/world/load.ts'
import type { Kind } from './core/world/schema.ts'
import { ENGINE_SETTINGS } from './runtimes/default-registry.ts'
import type { RuntimeRegistry } from './runtimes/registry.ts'
import type { Runtime } from './runtimes/runtime.ts'
import { inspectWasm } from './runtimes/wasm/index.ts'
import { version } from './version.ts'

export interface ServiceOptions {
  registry: RuntimeRegistry
  /** Builds a runtime when an engine setting changes; without it, such settings apply at the next start. */
  runtimeFactory?: (kind: Kind, settings: Record<string, unknown>) => Runtime
  store?: Store
  sampler?: SamplerOptions
  /** A look at engine truth by a process that does not own the state dir: no engine watches. */
  readOnly?: boolean
}

/** The one implementation of the contract; every front (desktop, browser, CLI) talks to this. */
export class WorldbenchService {
  readonly bus = new EventBus()
  readonly store: Store
  readonly registry: RuntimeRegistry
  readonly supervisor: Supervisor
  readonly sampler: Sampler
  readonly handlers: Handlers
  private benching = false
  private readonly runtimeFactory: ServiceOptions['runtimeFactory']

  constructor(opts: ServiceOptions) {
    this.registry = opts.registry
    this.runtimeFactory = opts.runtimeFactory
    this.store = opts.store ?? new Store()
    this.supervisor = new Supervisor(this.registry, this.bus, { watch: !opts.readOnly })
    this.sampler = new Sampler(this.supervisor, this.bus, opts.sampler)
    this.handlers = this.createHandlers()
  }

  /** Adopts what survived a restart, brings back worlds that should be up, starts sampling. */
  async start(opts: { restoreWorlds?: boolean } = {}): Promise<void> {
    await this.supervisor.adoptAll()
    this.sampler.start()
    if (opts.restoreWorlds) {
      for (const w of this.store.worlds().filter((r) => r.desired === 'up')) {
        void loadWorld(w.file)
          .then((world) => this.supervisor.up(world))
          .catch(() => undefined)
      }
    }
  }

  async close(opts: { stopAll: boolean }): Promise<void> {
    this.sampler.stop()
    await this.supervisor.close(opts)
    await this.registry.close()
    this.store.close()
  }

  async doctor(): Promise<DoctorReport> {
    return {
      worldbench: version,
      node: process.versions.node,
      platform: process.platform,
      arch: process.arch,
      stateDir: stateDir(),
      engines: await Promise.all(this.registry.all().map((r) => r.probe())),
    }
  }

  private createHandlers(): Handlers {
    return {
      doctor: () => this.doctor(),
      getSettings: async () => this.store.getSettings(),
      setSetting: async ({ key, value }) => {
        this.store.setSetting(key, value)
        const kind = ENGINE_SETTINGS[key]
        if (kind && this.runtimeFactory) {
          // New work goes to the engine the setting names; running instances keep their own.
          const runtime = this.runtimeFactory(kind, this.store.getSettings())
          this.registry.register(runtime)
          this.supervisor.attach(runtime)
        }
        return this.store.getSettings()
      },
      listWorlds: async () => this.listWorlds(),
      validateWorld: async ({ file }) => {
        const { world, issues } = await validateWorldFile(file)
        return {
          ok: issues.length === 0,
          issues,
          ...(world && {
            world: {
              name: world.name,
              workloads: world.workloads.map((w) => ({ name: w.name, kind: w.kind, dependsOn: w.dependsOn })),
            },
          }),
        }
      },
      addWorld: async ({ file }) => {
        const world = await loadWorld(resolve(file))
        const known = this.store.worlds().find((w) => w.file === world.file)
        this.store.setWorld(world.name, world.file, known?.desired ?? 'down')
        return this.listWorlds().find((w) => w.file === world.file)!
      },
      worldUp: async ({ world: ref }) => {
        const file = resolveWorldRef(ref, this.store)
        const world = await loadWorld(file)
        this.store.setWorld(world.name, file, 'up')
        return this.supervisor.up(world)
      },
      worldDown: async ({ world: ref }) => {
        const known = this.store.worlds().find((w) => w.name === ref)
        const name = known ? known.name : (await loadWorld(resolveWorldRef(ref, this.store))).name
        const stopped = await this.supervisor.down(name)
        const record = this.store.worlds().find((w) => w.name === name)
        if (record) this.store.setWorld(name, record.file, 'down')
        return { stopped }
      },
      listInstances: async (params) => [
        ...this.listInstances(),
        ...(params?.includeExternal ? await this.listExternal() : []),
      ],
      stopInstance: async ({ id }) => {
        await this.supervisor.stopInstance(id)
        return { ok: true as const }
      },
      restartInstance: ({ id }) => this.supervisor.restartInstance(id),
      instanceLogs: async ({ id, tail }) => this.supervisor.logs(id, tail),
      instanceSamples: async ({ id, sinceMs }) => this.sampler.samples(id, sinceMs),
      benchRun: async ({ world: ref, ...opts }) => {
        if (this.benching)
          throw new WorldbenchError(
            'BENCH_BUSY',
            'A benchmark is already running.',
            'Wait for it to finish: two at once would measure each other.',
          )
        this.benching = true
        try {
          const world = await loadWorld(resolveWorldRef(ref, this.store))
          const report = await new BenchRunner(this.registry, this.bus).run(world, opts)
          this.store.saveBench({ id: report.id, createdAt: report.createdAt, title: report.title, report })
          return report
        } finally {
          this.benching = false
        }
      },
      benchList: async () => this.store.benchRuns(),
      instanceDetails: async ({ id }) => {
        const m = this.supervisor.get(id)
        const info = this.listInstances().find((i) => i.id === id)!
        const w = m.workload
        return {
          info,
          ...(w && { definition: JSON.parse(JSON.stringify(w)) as Record<string, unknown> }),
          ...(w?.wasm && { wasm: await inspectWasm(w.wasm.module) }),
        }
      },
      inspectWasm: async ({ file }) => inspectWasm(resolve(file)),
      benchGet: async ({ id }) => {
        const run = this.store.benchRun(id)
        if (!run)
          throw new WorldbenchError(
            'NO_SUCH_BENCH',
            `There is no saved bench run "${id}".`,
            'List them with benchList (or the Bench page).',
          )
        return run.report as BenchReport
      },
    }
  }

  listInstances(): InstanceInfo[] {
    return this.supervisor.instances().map((i) => {
      const last = this.sampler.last(i.id)
      return { ...this.supervisor.info(this.supervisor.get(i.id)), ...(last && { last }) }
    })
  }

  /** What the engines run that Worldbench did not start, shown in a group of its own. */
  async listExternal(): Promise<InstanceInfo[]> {
    const out: InstanceInfo[] = []
    for (const runtime of this.registry.all()) {
      if (!runtime.listAll) continue
      const all = await runtime.listAll().catch(() => [])
      for (const c of all.filter((x) => x.external)) {
        out.push({
          id: `external:${c.id.slice(0, 12)}`,
          kind: runtime.kind,
          world: 'external',
          workload: c.name,
          state:
            c.state === 'running'
              ? 'running'
              : c.state === 'exited' || c.state === 'created'
                ? 'stopped'
                : 'unknown',
          ports: c.ports,
          startedAt: 0,
          external: true,
          image: c.image,
        })
      }
    }
    return out
  }

  listWorlds(): WorldSummary[] {
    const records = new Map(this.store.worlds().map((r) => [r.file, r]))
    const out: WorldSummary[] = []
    const seen = new Set<string>()
    const add = (file: string, sample: boolean) => {
      if (seen.has(file)) return
      seen.add(file)
      let text = ''
      try {
        text = readFileSync(file, 'utf8')
      } catch {
        return
      }
      const { world } = checkWorldText(file, text)
      if (!world) return
      out.push({
        name: world.name,
        ...(world.description !== undefined && { description: world.description }),
        file,
        sample,
        kinds: [...new Set(world.workloads.map((w) => w.kind))],
        workloads: world.workloads.length,
        desired: records.get(file)?.desired ?? 'down',
      })
    }
    for (const file of sampleWorldFiles().values()) add(file, true)
    for (const r of records.values()) add(r.file, false)
    return out
  }
}
