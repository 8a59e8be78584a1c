import { toErrorShape } from './errors.ts'
import { logFailure } from './log.ts'
import { LogBuffer } from './log-buffer.ts'
import type { Managed, ManagedInstances } from './managed.ts'
import { waitReady } from './readiness.ts'
import type { Instance } from './runtime.ts'
import type { RuntimeRegistry } from './runtime-registry.ts'

/** Picks up what this app started before it restarted (containers, VMs), each re-checked before it counts as running. */
export async function adoptAll(registry: RuntimeRegistry, held: ManagedInstances): Promise<Instance[]> {
  const adopted: Instance[] = []
  for (const runtime of registry.all()) {
    try {
      for (const instance of await runtime.adopt()) {
        if (held.has(instance.id)) continue
        const m = held.track(instance, undefined, runtime)
        if (instance.state === 'running') m.rechecked = recheck(held, m)
        adopted.push(instance)
      }
    } catch (err) {
      // An engine that is down cannot be adopted from (its doctor entry says why); what it runs is not lost.
      logFailure(`could not adopt from the ${runtime.kind} engine`, err)
    }
  }
  return adopted
}

/**
 * An adopted instance is shown `starting` until it answers its readiness probe again (the one
 * it was started with, kept on the engine side): a VM whose QEMU runs may not serve yet.
 */
async function recheck(held: ManagedInstances, m: Managed): Promise<void> {
  const i = m.instance
  held.setState(m, 'starting', 'adopted: checking that it answers')
  const ready = i.ready ?? { timeoutSeconds: i.kind === 'vm' ? 180 : 60, ...(i.ports[0] && { tcp: true }) }
  try {
    await waitReady({
      name: `${i.workload} (${i.kind})`,
      ports: i.ports,
      ready,
      signal: m.stopLogs.signal,
      logs: () => m.runtime.logs(i, { follow: true, tail: 10_000, signal: m.stopLogs.signal }),
    })
    if (m.instance.state !== 'starting') return
    delete m.instance.reason
    held.setState(m, 'running')
  } catch (err) {
    if (!m.stopping && !m.removed) held.setState(m, 'failed', `adopted, but ${toErrorShape(err).message}`)
  }
}

/**
 * What the engines run for this state dir, listed without taking hold of it (no QMP, no log
 * streams, no reaping): for a process that reads while no owner runs.
 */
export async function observeAll(registry: RuntimeRegistry, held: ManagedInstances): Promise<void> {
  for (const runtime of registry.all()) {
    // A read-only look writes nothing, not even a log line: an engine it cannot read shows nothing.
    const found = await (runtime.observe?.() ?? Promise.resolve([])).catch(() => [])
    for (const instance of found) {
      held.hold({
        instance,
        workload: undefined,
        runtime,
        logs: new LogBuffer(),
        stopLogs: new AbortController(),
        stopping: false,
      })
    }
  }
}
