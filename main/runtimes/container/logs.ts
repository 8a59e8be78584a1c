import { PassThrough, Readable } from 'node:stream'
import type Docker from 'dockerode'
import type { LogLine } from '../../../contract/api.ts'
import type { LogOptions } from '../../core/runtime.ts'
import { lineSplitter } from './line-splitter.ts'

/**
 * A container's stdout and stderr, demultiplexed by the engine's 8-byte frame headers, one
 * LogLine per line with the engine's own timestamp. Ends with the container, or when the
 * signal aborts.
 */
export async function* containerLogs(
  docker: Docker,
  containerId: string,
  opts: LogOptions = {},
): AsyncIterable<LogLine> {
  if (opts.signal?.aborted) return
  const base = {
    stdout: true,
    stderr: true,
    timestamps: true,
    ...(opts.tail !== undefined ? { tail: opts.tail } : {}),
  }
  const c = docker.getContainer(containerId)
  const raw: NodeJS.ReadableStream = opts.follow
    ? await c.logs({ ...base, follow: true })
    : Readable.from([asBytes(await c.logs({ ...base, follow: false }))])

  const queue: LogLine[] = []
  let done = false
  let wake: (() => void) | undefined
  const notify = () => {
    wake?.()
    wake = undefined
  }
  const sink = (stream: 'stdout' | 'stderr') => {
    const pt = new PassThrough()
    const lines = lineSplitter((line) => queue.push(parseLine(line, stream)))
    pt.on('data', (chunk: Buffer) => {
      lines.push(chunk)
      notify()
    })
    pt.on('finish', () => {
      lines.flush()
      notify()
    })
    return pt
  }
  const out = sink('stdout')
  const err = sink('stderr')
  docker.modem.demuxStream(raw, out, err)
  const end = () => {
    if (done) return
    done = true
    out.end()
    err.end()
    notify()
  }
  raw.on('end', end)
  raw.on('close', end)
  raw.on('error', end)
  const abort = () => {
    ;(raw as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.()
    end()
  }
  opts.signal?.addEventListener('abort', abort, { once: true })
  try {
    while (true) {
      while (queue.length) {
        if (opts.signal?.aborted) return
        yield queue.shift()!
      }
      if (done) {
        // Let the PassThroughs flush what they still hold.
        await new Promise((r) => setImmediate(r))
        if (!queue.length) return
        continue
      }
      await new Promise<void>((r) => (wake = r))
    }
  } finally {
    opts.signal?.removeEventListener('abort', abort)
    ;(raw as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.()
  }
}

/** "2026-11-24T16:31:54.913041253Z hello" → t and line (the engine adds the RFC 3339 stamp). */
export function parseLine(text: string, stream: 'stdout' | 'stderr'): LogLine {
  const line = text.endsWith('\r') ? text.slice(0, -1) : text
  const sp = line.indexOf(' ')
  const stamp = sp > 0 ? Date.parse(line.slice(0, sp)) : Number.NaN
  if (Number.isFinite(stamp)) return { t: stamp, stream, line: line.slice(sp + 1) }
  return { t: Date.now(), stream, line }
}

/**
 * dockerode hands back a finished log as a Buffer, but as whatever it parsed when the engine sends
 * an empty or JSON-typed body (Podman, for a container with no output): that is no bytes.
 */
function asBytes(body: unknown): Buffer {
  if (Buffer.isBuffer(body)) return body
  if (typeof body === 'string') return Buffer.from(body)
  return Buffer.alloc(0)
}
