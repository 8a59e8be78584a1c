import type { ReadySpec } from '../readiness.ts'
import { formatOf } from './kinds/index.ts'
import type { Workload } from './schema.ts'

/** The readiness probe of a workload: what it declares, else TCP on its first port, else none. */
export function readySpec(w: Workload): ReadySpec {
  const fallbackTimeout = formatOf(w.kind).readyTimeoutSeconds
  if (w.ready) return w.ready
  if (w.ports.length > 0) return { tcp: true, timeoutSeconds: fallbackTimeout }
  return { timeoutSeconds: fallbackTimeout }
}
