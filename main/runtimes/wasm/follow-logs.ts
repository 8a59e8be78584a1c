/** A host's log lines as an async iterable: the tail so far, then (with follow) new lines until it exits. */
import type { LogLine } from '../../../contract/api.ts'
import type { LogOptions } from '../../core/runtime.ts'
import type { HostHandle } from './host-handle.ts'

export async function* followLogs(host: HostHandle, opts: LogOptions = {}): AsyncIterable<LogLine> {
  const queue: LogLine[] = [...host.logs.tail(opts.tail ?? 5000)]
  if (!opts.follow) {
    yield* queue
    return
  }
  let wake: (() => void) | undefined
  let done = false
  const off = host.onLine((l) => {
    queue.push(l)
    wake?.()
  })
  void host.exited.then(() => {
    done = true
    wake?.()
  })
  const onAbort = () => {
    done = true
    wake?.()
  }
  opts.signal?.addEventListener('abort', onAbort)
  try {
    for (;;) {
      while (queue.length) yield queue.shift()!
      if (done || opts.signal?.aborted) return
      await new Promise<void>((r) => (wake = r))
      wake = undefined
    }
  } finally {
    off()
    opts.signal?.removeEventListener('abort', onAbort)
  }
}
