import { resolve } from 'node:path'
import type { BenchReport, DoctorReport, Handlers, InstanceInfo, WorldSummary } from '../contract/api.ts'
import { imagesOf, listArtifacts, modulesOf } from './artifacts.ts'
import { ActivityTracker } from './core/activity.ts'
import { BenchRunner } from './core/bench/runner.ts'
import { EngineLogs } from './core/engine-logs.ts'
import { WorldbenchError } from './core/errors.ts'
import { EventBus } from './core/events.ts'
import { logFailure } from './core/log.ts'
import { stateDir } from './core/paths.ts'
import {
  checkSetting,
  descriptorOfSetting,
  kindInfo,
  type RuntimeDescriptor,
  runtimeFrom,
} from './core/runtime-descriptor.ts'
import type { RuntimeRegistry } from './core/runtime-registry.ts'
import { Sampler, type SamplerOptions } from './core/sampler.ts'
import { StoppedInstances } from './core/stopped-instances.ts'
import { Store } from './core/store.ts'
import { Supervisor } from './core/supervisor.ts'
import { Terminals } from './core/terminals.ts'
import { resolveWorldRef, sampleWorldFiles } from './core/world/catalog.ts'
import { loadWorld, validateWorldFile } from './core/world/load.ts'
import type { World } from './core/world/schema.ts'
import { assertTrusted, worldScripts, worldTrustHash } from './core/world/trust.ts'
import { externalInstances } from './external-instances.ts'
import { checkText, saveUploadedWorld, toValidationResult } from './upload-world.ts'
import { version } from './version.ts'
import { worldSummaries } from './world-summaries.ts'

export interface ServiceOptions {
  registry: RuntimeRegistry
  /**
   * The runtimes' descriptors: their settings are checked, and changing one replaces that kind's
   * runtime. Without them, settings are stored unchecked and apply at the next start.
   */
  descriptors?: RuntimeDescriptor[]
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
  readonly activity: ActivityTracker
  private readonly stopped = new StoppedInstances()
  private readonly terminals: Terminals
  private benching = false
  private readonly descriptors: RuntimeDescriptor[]
  /** Set for a service that only looks (no owner runs): logs come straight from the engines. */
  private readonly engineLogs: EngineLogs | undefined

  constructor(opts: ServiceOptions) {
    this.registry = opts.registry
    this.descriptors = opts.descriptors ?? []
    this.store = opts.store ?? new Store()
    this.supervisor = new Supervisor(this.registry, this.bus, {
      watch: !opts.readOnly,
      // A restart (by request or by policy) runs the scripts again: only as they were trusted.
      beforeScripts: async (w) => {
        const file = this.store.worlds().find((r) => r.name === w.world)?.file
        if (file) await this.checkTrust(await loadWorld(file))
      },
    })
    this.sampler = new Sampler(this.supervisor, this.bus, opts.sampler)
    if (opts.readOnly) this.engineLogs = new EngineLogs(this.supervisor, this.bus)
    this.activity = new ActivityTracker(this.bus)
    this.terminals = new Terminals(this.bus)
    this.keepStoppedInstances()
    this.handlers = this.createHandlers()
  }

  /** A stopped instance stays listed with its logs until removed or until its workload runs again. */
  private keepStoppedInstances(): void {
    this.bus.on('instance', (info) => {
      if (info.state === 'stopping' || info.state === 'stopped') this.terminals.closeFor(info.id)
      if (info.state === 'stopped') {
        const m = this.managed(info.id)
        if (m) this.stopped.keep({ info, workload: m.workload, logs: this.supervisor.logs(info.id, 10_000) })
        return
      }
      this.stopped.remove(info.id)
      for (const id of this.stopped.replacedBy(info)) {
        this.stopped.remove(id)
        this.bus.emit('instanceForgotten', { id })
      }
    })
  }

  /** Adopts what survived a restart, brings back worlds that should be up, starts sampling. */
  async start(opts: { restoreWorlds?: boolean } = {}): Promise<void> {
    await this.supervisor.adoptAll()
    this.sampler.start()
    if (opts.restoreWorlds) {
      for (const w of this.store.worlds().filter((r) => r.desired === 'up')) {
        // A world whose scripts changed since they were trusted stays down until asked again.
        void loadWorld(w.file)
          .then(async (world) => {
            await this.checkTrust(world)
            return this.supervisor.up(world)
          })
          .catch((err) => logFailure(`world ${w.name} was up before and could not be brought back`, err))
      }
    }
  }

  /** For a read-only service: what the engines run for this state dir, without taking hold of it. */
  async observe(): Promise<void> {
    await this.supervisor.observeAll()
  }

  async close(opts: { stopAll: boolean }): Promise<void> {
    this.engineLogs?.close()
    this.terminals.closeAll()
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
      kinds: async () => this.descriptors.map(kindInfo),
      setSetting: async ({ key, value }) => {
        checkSetting(this.descriptors, key, value)
        this.store.setSetting(key, value)
        const d = descriptorOfSetting(this.descriptors, key)
        if (d) {
          // New work goes to the engine the setting names; running instances keep their own.
          const runtime = runtimeFrom(d, this.store.getSettings())
          this.registry.register(runtime)
          this.supervisor.attach(runtime)
        }
        return this.store.getSettings()
      },
      pickEngineBinary: async () => {
        throw new WorldbenchError(
          'DESKTOP_ONLY',
          'Choosing an engine program or socket needs the desktop app (a file dialog and a confirmation).',
          'Open Worldbench on the desktop: Engines → Choose…; or leave it empty to use the engine discovery finds.',
        )
      },
      listWorlds: async () => this.listWorlds(),
      validateWorld: async ({ file }) => toValidationResult(await validateWorldFile(file)),
      addWorld: async ({ file }) => {
        const world = await loadWorld(resolve(file))
        const known = this.store.worlds().find((w) => w.file === world.file)
        this.store.setWorld(world.name, world.file, known?.desired ?? 'down')
        return this.listWorlds().find((w) => w.file === world.file)!
      },
      checkWorldText: async ({ name, text }) => checkText(name, text),
      uploadWorld: async ({ name, text }) => {
        const file = await saveUploadedWorld(name, text)
        return this.handlers.addWorld({ file })
      },
      worldUp: async ({ world: ref }) => {
        const file = resolveWorldRef(ref, this.store)
        const world = await loadWorld(file)
        await this.checkTrust(world)
        this.store.setWorld(world.name, file, 'up')
        return this.activity.world(world.name, 'starting', () => this.supervisor.up(world))
      },
      trustWorld: async ({ world: ref, sha256 }) => {
        const world = await loadWorld(resolveWorldRef(ref, this.store))
        const now = await worldTrustHash(world)
        if (now !== sha256)
          throw new WorldbenchError(
            'WORLD_CHANGED',
            `${world.file} or one of its scripts changed since it was shown to you.`,
            'Start it again to see what it runs now, and trust that.',
          )
        this.store.trustWorld(world.file, now)
        return { file: world.file, sha256: now, scripts: worldScripts(world) }
      },
      worldDown: async ({ world: ref }) => {
        const known = this.store.worlds().find((w) => w.name === ref)
        const name = known ? known.name : (await loadWorld(resolveWorldRef(ref, this.store))).name
        const stopped = await this.activity.world(name, 'stopping', () => this.supervisor.down(name))
        const record = this.store.worlds().find((w) => w.name === name)
        if (record) this.store.setWorld(name, record.file, 'down')
        return { stopped }
      },
      listInstances: async (params) => [
        ...this.listInstances(),
        ...(params?.includeStopped ? this.stopped.all() : []),
        ...(params?.includeExternal ? await this.listExternal() : []),
      ],
      stopInstance: async ({ id }) => {
        await this.supervisor.stopInstance(id)
        return { ok: true as const }
      },
      restartInstance: ({ id }) => this.supervisor.restartInstance(id),
      startInstance: async ({ id }) => {
        const entry = this.stopped.get(id)
        if (!entry) {
          this.supervisor.get(id)
          throw new WorldbenchError('NOT_STOPPED', `${id} is not stopped.`, 'Use Restart to start it afresh.')
        }
        if (!entry.workload)
          throw new WorldbenchError(
            'CANNOT_START',
            `${id} was adopted after a restart and its world file was not loaded.`,
            `Launch its world (${entry.info.world}) again.`,
          )
        return this.supervisor.info(await this.supervisor.startWorkload(entry.workload))
      },
      removeInstance: async ({ id }) => {
        if (!this.stopped.remove(id)) {
          this.supervisor.get(id)
          throw new WorldbenchError(
            'NOT_STOPPED',
            `${id} is still running.`,
            'Stop it first, then remove it.',
          )
        }
        this.bus.emit('instanceForgotten', { id })
        return { ok: true as const }
      },
      activity: async () => this.activity.snapshot(),
      listArtifacts: () => listArtifacts(this.registry, this.supervisor),
      removeImage: async ({ id }) => {
        await imagesOf(this.registry).remove(id)
        return { ok: true as const }
      },
      pruneImages: () => imagesOf(this.registry).prune(),
      clearWasmCache: () => modulesOf(this.registry).clearCache(),
      terminalOpen: async ({ id, cols, rows }) => {
        const stopped = this.stopped.get(id)
        const m = stopped ? undefined : this.supervisor.get(id)
        const runtime = m?.runtime ?? this.registry.get(stopped!.info.kind)
        const workload = m?.workload ?? stopped?.workload
        if (runtime.freshTerminal && workload)
          return this.terminals.openFresh(id, runtime, workload, { cols, rows })
        return this.terminals.open((m ?? this.supervisor.get(id)).instance, runtime, { cols, rows })
      },
      terminalInput: async ({ session, data }) => {
        this.terminals.input(session, data)
        return { ok: true as const }
      },
      terminalResize: async ({ session, cols, rows }) => {
        await this.terminals.resize(session, cols, rows)
        return { ok: true as const }
      },
      terminalClose: async ({ session }) => {
        this.terminals.close(session)
        return { ok: true as const }
      },
      instanceLogs: async ({ id, tail }) =>
        this.stopped.get(id)?.logs.slice(-tail) ??
        (this.engineLogs ? this.engineLogs.tail(id, tail) : this.supervisor.logs(id, tail)),
      followLogs: async ({ id, tail }) => {
        if (!this.engineLogs) return this.handlers.instanceLogs({ id, tail })
        this.engineLogs.follow(id, tail)
        return []
      },
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
          await this.checkTrust(world)
          const report = await this.activity.benchRun(world.name, () =>
            new BenchRunner(this.registry, this.bus).run(world, opts),
          )
          this.store.saveBench({ id: report.id, createdAt: report.createdAt, title: report.title, report })
          return report
        } finally {
          this.benching = false
        }
      },
      benchList: async () => this.store.benchRuns(),
      instanceDetails: async ({ id }) => {
        const stopped = this.stopped.get(id)
        const w = stopped ? stopped.workload : this.supervisor.get(id).workload
        const info = stopped?.info ?? this.listInstances().find((i) => i.id === id)!
        return {
          info,
          ...(w && { definition: JSON.parse(JSON.stringify(w)) as Record<string, unknown> }),
          ...(w?.wasm && { wasm: await modulesOf(this.registry).inspect(w.wasm.module) }),
        }
      },
      inspectWasm: async ({ file }) => modulesOf(this.registry).inspect(resolve(file)),
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

  /** Scripts of the sample worlds ship with Worldbench; any other world's run only once trusted. */
  private async checkTrust(world: World): Promise<void> {
    if ([...sampleWorldFiles().values()].includes(world.file)) return
    await assertTrusted(world, this.store.trustedHash(world.file))
  }

  private managed(id: string) {
    try {
      return this.supervisor.get(id)
    } catch {
      return undefined
    }
  }

  listInstances(): InstanceInfo[] {
    return this.supervisor.instances().map((i) => {
      const last = this.sampler.last(i.id)
      return { ...this.supervisor.info(this.supervisor.get(i.id)), ...(last && { last }) }
    })
  }

  /** What the engines run that Worldbench did not start, shown in a group of its own. */
  listExternal(): Promise<InstanceInfo[]> {
    return externalInstances(this.registry)
  }

  listWorlds(): WorldSummary[] {
    return worldSummaries(this.store)
  }
}
