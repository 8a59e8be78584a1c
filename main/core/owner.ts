import { createHash } from 'node:crypto'
import { stateDir } from './paths.ts'

/**
 * Which Worldbench installation owns an engine-side resource: a hash of its state dir. Labelled
 * on containers so two installations (two users on one Docker, a test run beside the app) never
 * adopt or stop each other's workloads; the other's show as external.
 */
export function ownerId(): string {
  return createHash('sha256').update(stateDir()).digest('hex').slice(0, 16)
}
