import { WorldbenchError } from './errors.ts'
import type { Runtime } from './runtime.ts'
import type { Kind } from './world/schema.ts'

/** The runtimes the service uses, one per kind. A runtime issue only adds a folder and a line here. */
export class RuntimeRegistry {
  private readonly byKind = new Map<Kind, Runtime>()
  /** Runtimes replaced by a setting change: their instances still run on them until stopped. */
  private readonly retired: Runtime[] = []

  register(runtime: Runtime): this {
    const previous = this.byKind.get(runtime.kind)
    if (previous && previous !== runtime) {
      previous.retire?.()
      this.retired.push(previous)
    }
    this.byKind.set(runtime.kind, runtime)
    return this
  }

  get(kind: Kind): Runtime {
    const runtime = this.byKind.get(kind)
    if (!runtime) {
      throw new WorldbenchError(
        'RUNTIME_MISSING',
        `No runtime is registered for kind "${kind}".`,
        'This is a bug in Worldbench.',
      )
    }
    return runtime
  }

  all(): Runtime[] {
    return [...this.byKind.values()]
  }

  async close(): Promise<void> {
    await Promise.all([...this.all(), ...this.retired].map((r) => r.close?.()))
  }
}
