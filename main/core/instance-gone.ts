import { WorldbenchError } from './errors.ts'
import type { Instance } from './runtime.ts'

export const INSTANCE_GONE = 'INSTANCE_GONE'

/**
 * The one error every runtime's sample() and cost() throw for an instance whose engine object no
 * longer exists (see the Runtime port): `what` says which object, in the engine's own words.
 */
export function instanceGone(i: Pick<Instance, 'id' | 'kind'>, what: string, hint: string): WorldbenchError {
  return new WorldbenchError(INSTANCE_GONE, `${i.id} is gone: ${what}.`, hint, {
    instance: i.id,
    kind: i.kind,
  })
}

export function isInstanceGone(err: unknown): err is WorldbenchError {
  return err instanceof WorldbenchError && err.code === INSTANCE_GONE
}
