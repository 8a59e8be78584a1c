import { randomBytes } from 'node:crypto'
import type { Workload } from './world/schema.ts'

/** Instance ids name their world and workload, plus a short random part so repeats never collide. */
export function newInstanceId(w: Pick<Workload, 'world' | 'name'>): string {
  return `${w.world}.${w.name}.${randomBytes(3).toString('hex')}`
}
