import { open, readFile } from 'node:fs/promises'
import type { LogLine } from '../../../contract/api.ts'
import { sleep } from '../../core/readiness.ts'

const POLL_MS = 100
const ANSI_ESCAPE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g')

/** The serial console, as text lines (a guest writes \r\n; escape sequences are dropped). */
export function serialLines(text: string): string[] {
  const lines = text
    .replace(ANSI_ESCAPE, '')
    .split(/\r?\n/)
    .map((l) => l.replace(/\r/g, ''))
  if (lines.at(-1) === '') lines.pop()
  return lines
}

export async function tailSerial(path: string, n: number): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch(() => '')
  return serialLines(text).slice(-n)
}

/**
 * Yields the serial log: the last `tail` lines, then (with follow) every new line until the
 * signal aborts or `alive()` says the VM is gone. Reads through one open handle, so lines
 * written just before the state folder is removed are still delivered.
 */
export async function* readSerial(
  path: string,
  opts: {
    tail?: number
    follow?: boolean
    signal?: AbortSignal
    alive: () => Promise<boolean>
    /** How often a followed log is read again (default 100 ms). */
    pollMs?: number
  },
): AsyncGenerator<LogLine> {
  const handle = await open(path, 'r').catch(() => undefined)
  if (!handle) return
  try {
    let offset = 0
    let partial = ''
    const readMore = async (): Promise<string[]> => {
      const chunks: Buffer[] = []
      while (true) {
        const buf = Buffer.alloc(64 * 1024)
        const { bytesRead } = await handle.read(buf, 0, buf.length, offset)
        if (bytesRead === 0) break
        offset += bytesRead
        chunks.push(buf.subarray(0, bytesRead))
      }
      const text = partial + Buffer.concat(chunks).toString('utf8')
      const nl = text.lastIndexOf('\n')
      partial = nl < 0 ? text : text.slice(nl + 1)
      return nl < 0 ? [] : serialLines(text.slice(0, nl + 1))
    }
    const first = await readMore()
    for (const line of opts.tail === undefined ? first : first.slice(-opts.tail)) yield serialLine(line)
    if (!opts.follow) {
      if (partial) yield serialLine(partial)
      return
    }
    while (!opts.signal?.aborted) {
      const running = await opts.alive()
      for (const line of await readMore()) yield serialLine(line)
      if (!running) {
        if (partial) yield serialLine(partial)
        return
      }
      await sleep(opts.pollMs ?? POLL_MS)
    }
  } finally {
    await handle.close()
  }
}

function serialLine(line: string): LogLine {
  return { t: Date.now(), stream: 'serial', line }
}
