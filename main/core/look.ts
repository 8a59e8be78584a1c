import type { InstanceInfo, Sample } from '../../contract/api.ts'
import { instanceInfo } from './instance-info.ts'
import { type CostReading, costSample } from './metrics/cost.ts'
import { sleep } from './readiness.ts'
import type { Instance, Runtime } from './runtime.ts'

/** What a look needs of a kind: what it runs for this state dir, and what each instance costs. */
export type Observer = Required<Pick<Runtime, 'kind' | 'observe' | 'cost'>>

/**
 * CPU is measured over this window: a look has no earlier reading (a running service samples
 * every second and shows the last window instead).
 */
export const LOOK_WINDOW_MS = 200

/**
 * What the engines run for this state dir, read by a process that owns nothing and changes
 * nothing (`ps` with no service): each instance with one sample of its full cost. An engine that
 * does not answer shows nothing, as it would to the service, and why goes to the log.
 */
export async function look(observers: Observer[], windowMs = LOOK_WINDOW_MS): Promise<InstanceInfo[]> {
  const found = (
    await Promise.all(
      observers.map(async (o) =>
        ((await o.observe().catch(engineSilent(o.kind))) as Instance[]).map((i) => ({ i, o })),
      ),
    )
  ).flat()
  const live = found.filter(({ i }) => i.state === 'running' || i.state === 'starting')
  const read = ({ i, o }: (typeof found)[number]) =>
    o.cost(i).then(
      (parts): CostReading => ({ at: performance.now(), parts }),
      // Gone since it was listed: it has no sample, as in a service's tick.
      () => undefined,
    )
  const before = await Promise.all(live.map(read))
  if (live.length > 0) await sleep(windowMs)
  const after = await Promise.all(live.map(read))
  const samples = new Map<string, Sample>()
  live.forEach(({ i }, n) => {
    const [a, b] = [before[n], after[n]]
    if (a && b) samples.set(i.id, sampleOf(i, a, b))
  })
  return found.map(({ i }) => {
    const last = samples.get(i.id)
    return { ...instanceInfo(i), ...(last && { last }) }
  })
}

function sampleOf(i: Instance, a: CostReading, b: CostReading): Sample {
  const s: Sample = costSample(a, b)
  if (i.guestMemoryBytes !== undefined) s.guestMemoryBytes = i.guestMemoryBytes
  return s
}

/** An engine that does not answer lists nothing here; why goes to the log (loaded only then). */
const engineSilent = (kind: string) => async (err: unknown) => {
  const { logFailure } = await import('./log.ts')
  logFailure(`a look at the ${kind} engine failed: it lists nothing`, err)
  return []
}
