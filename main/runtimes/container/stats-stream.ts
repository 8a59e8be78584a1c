import type Docker from 'dockerode'
import { lineSplitter } from './line-splitter.ts'
import type { StatsJson } from './stats-math.ts'

/** Turns one line of an engine's stats stream into a Docker-shaped reading. */
export type StatsParser = (line: string) => StatsJson | undefined

/**
 * One long-lived /stats stream per container: the engine pushes a reading every second and
 * sample() reads the latest, instead of a new request (and a 1–2 s wait) per sample.
 */
export class StatsStream {
  latest: StatsJson | undefined
  ended = false
  private stream: NodeJS.ReadableStream | undefined
  private waiters: (() => void)[] = []
  private readonly lines = lineSplitter((line) => this.onLine(line))
  private readonly parse: StatsParser

  private constructor(parse: StatsParser) {
    this.parse = parse
  }

  static async open(docker: Docker, containerId: string): Promise<StatsStream> {
    const stream = (await docker
      .getContainer(containerId)
      .stats({ stream: true })) as unknown as NodeJS.ReadableStream
    return StatsStream.attach(stream, (line) => JSON.parse(line) as StatsJson)
  }

  /** Follows any stream of JSON lines; the parser maps each to a Docker-shaped reading. */
  static attach(stream: NodeJS.ReadableStream, parse: StatsParser): StatsStream {
    const s = new StatsStream(parse)
    s.stream = stream
    stream.on('data', (chunk: Buffer) => s.lines.push(chunk))
    const end = () => s.finish()
    stream.on('end', end)
    stream.on('close', end)
    stream.on('error', end)
    return s
  }

  private onLine(line: string): void {
    if (!line.trim()) return
    let reading: StatsJson | undefined
    try {
      reading = this.parse(line)
    } catch {
      return
    }
    if (!reading) return
    this.latest = reading
    for (const w of this.waiters.splice(0)) w()
  }

  private finish(): void {
    this.ended = true
    for (const w of this.waiters.splice(0)) w()
  }

  /** The latest reading; waits for the first one (the engine sends it within about a second). */
  async reading(timeoutMs = 3000): Promise<StatsJson | undefined> {
    if (this.latest || this.ended) return this.latest
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs)
      this.waiters.push(() => {
        clearTimeout(timer)
        resolve()
      })
    })
    return this.latest
  }

  close(): void {
    this.ended = true
    const s = this.stream as (NodeJS.ReadableStream & { destroy?: () => void }) | undefined
    s?.destroy?.()
  }
}
