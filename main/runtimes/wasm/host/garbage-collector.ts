/**
 * Each CGI request leaves an instance, a WASI context and a linear memory behind, and V8 does not
 * hurry to collect them: the memories live outside the JS heap. Left alone, a host that served
 * 3000 small requests grew from 61 to 140 MiB RSS. A full GC of a host's few MiB of live heap
 * takes a couple of ms, so the host runs one every few hundred requests and once it goes idle.
 * Hosts start with --expose-gc (spawn-host.ts); without it this does nothing.
 */
const EVERY_REQUESTS = 200
const IDLE_MS = 500

export interface GarbageCollector {
  /** Called after each request. */
  served(): void
  stop(): void
}

/** V8's full GC, where the host was started with --expose-gc. */
export const exposedGc: (() => void) | undefined = (globalThis as { gc?: () => void }).gc

export function garbageCollector(gc: (() => void) | undefined = exposedGc): GarbageCollector {
  let since = 0
  let idle: NodeJS.Timeout | undefined
  const collect = () => {
    since = 0
    gc?.()
  }
  return {
    served() {
      if (!gc) return
      if (++since >= EVERY_REQUESTS) collect()
      clearTimeout(idle)
      idle = setTimeout(collect, IDLE_MS)
      idle.unref()
    },
    stop() {
      clearTimeout(idle)
    },
  }
}

/** The one collector of a host process, whichever of its workloads served. */
export const hostCollector: GarbageCollector = garbageCollector()
