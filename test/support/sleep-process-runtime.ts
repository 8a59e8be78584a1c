import { type ChildProcess, spawn } from 'node:child_process'
import type { EngineStatus, LogLine, Sample } from '../../contract/api.ts'
import { newInstanceId } from '../../main/core/ids.ts'
import { processStats } from '../../main/core/metrics/process-stats.ts'
import type { Artifact, Instance, Runtime } from '../../main/core/runtime.ts'
import type { Kind, Workload, World } from '../../main/core/world/schema.ts'

/**
 * A STAND-IN runtime whose instances are plain `sleep` OS processes. It exists to load the
 * Sampler with many real processes cheaply: each sample goes through `processStats(pid)`, the
 * same path the VM (QEMU) and Wasm (host process) runtimes take. It runs no workload at all.
 */
export class SleepProcessRuntime implements Runtime {
  readonly kind: Kind
  private readonly children = new Map<string, ChildProcess>()

  constructor(kind: Kind = 'wasm') {
    this.kind = kind
  }

  async probe(): Promise<EngineStatus> {
    return {
      kind: this.kind,
      available: true,
      engine: 'sleep processes (stand-in)',
      details: {},
      warnings: [],
    }
  }

  async prepare(w: Workload): Promise<Artifact> {
    return { kind: this.kind, ref: `sleep:${w.name}`, bytes: 0 }
  }

  async start(w: Workload): Promise<Instance> {
    const child = spawn('sleep', ['600'], { stdio: 'ignore' })
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve)
      child.once('error', reject)
    })
    const id = newInstanceId(w)
    this.children.set(id, child)
    return {
      id,
      kind: this.kind,
      world: w.world,
      workload: w.name,
      state: 'starting',
      ports: [],
      handle: { pid: child.pid! },
      startedAt: Date.now(),
    }
  }

  async stop(i: Instance): Promise<void> {
    const child = this.children.get(i.id)
    this.children.delete(i.id)
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((r) => child.once('exit', r))
    child.kill('SIGKILL')
    await exited
  }

  async sample(i: Instance): Promise<Sample> {
    const s = await processStats(i.handle.pid!)
    return { t: Date.now(), cpuPercent: s.cpuPercent, memoryBytes: s.rssBytes }
  }

  async *logs(): AsyncIterable<LogLine> {}

  async adopt(): Promise<Instance[]> {
    return []
  }

  /** Kills every child still running (also the ones of a test that failed half-way). */
  async close(): Promise<void> {
    await Promise.all([...this.children.keys()].map((id) => this.stop({ id } as Instance)))
  }

  get pids(): number[] {
    return [...this.children.values()].map((c) => c.pid!)
  }
}

/** A world of `count` workloads of one kind, each with nothing to wait for. */
export function sleepWorld(name: string, count: number, kind: Kind = 'wasm'): World {
  return {
    name,
    file: `/nonexistent/${name}/world.yaml`,
    dir: `/nonexistent/${name}`,
    workloads: Array.from({ length: count }, (_, n) => ({
      world: name,
      name: `sleeper-${n}`,
      kind,
      ports: [],
      env: {},
      args: [],
      limits: {},
      restart: 'no',
      dependsOn: [],
      ready: { timeoutSeconds: 5 },
    })) as unknown as Workload[],
  }
}
