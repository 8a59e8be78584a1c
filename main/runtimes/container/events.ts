import type Docker from 'dockerode'
import { logFailure } from '../../core/log.ts'
import { sleep } from '../../core/readiness.ts'
import { LABEL_INSTANCE, ownLabel } from './labels.ts'
import { lineSplitter } from './line-splitter.ts'

/** One message of the engine's /events stream (the parts we read). */
export interface EngineEvent {
  Type?: string
  Action?: string
  id?: string
  time?: number
  Actor?: { ID?: string; Attributes?: Record<string, string> }
}

export interface EventLoopHooks {
  onEvent(e: EngineEvent): void
  /** The stream ended or could not be opened: the engine is gone (or restarting). */
  onDown(): void
  /** The stream is open again after an outage: time to resynchronise. */
  onUp(): Promise<void>
}

/**
 * Keeps the engine's event stream (filtered to Worldbench's containers) open. dockerode's
 * getEvents() is a raw stream that ends for good when the daemon goes away, so this reopens
 * it with exponential backoff and says when it was down and when it is back.
 */
export class EventLoop {
  private stopped = false
  private current: (NodeJS.ReadableStream & { destroy?: () => void }) | undefined
  private readonly docker: Docker
  private readonly hooks: EventLoopHooks
  private readonly minMs: number
  private readonly maxMs: number
  private wake: (() => void) | undefined

  constructor(docker: Docker, hooks: EventLoopHooks, backoff: { minMs?: number; maxMs?: number } = {}) {
    this.docker = docker
    this.hooks = hooks
    this.minMs = backoff.minMs ?? 200
    this.maxMs = backoff.maxMs ?? 5000
  }

  start(): void {
    void this.run()
  }

  stop(): void {
    this.stopped = true
    this.current?.destroy?.()
    this.wake?.()
  }

  private async run(): Promise<void> {
    let delay = this.minMs
    let down = false
    while (!this.stopped) {
      try {
        const stream = (await this.docker.getEvents({
          filters: { type: ['container'], label: [LABEL_INSTANCE, ownLabel()] },
        })) as NodeJS.ReadableStream & { destroy?: () => void }
        if (this.stopped) {
          stream.destroy?.()
          break
        }
        this.current = stream
        delay = this.minMs
        if (down) {
          down = false
          await this.hooks
            .onUp()
            .catch((err: unknown) =>
              logFailure('resynchronising with the container engine after an outage', err),
            )
        }
        await this.read(stream)
      } catch {
        // Engine unreachable: fall through to the backoff.
      }
      this.current = undefined
      if (this.stopped) break
      if (!down) {
        down = true
        this.hooks.onDown()
      }
      await Promise.race([sleep(delay), new Promise<void>((r) => (this.wake = r))])
      delay = Math.min(this.maxMs, delay * 2)
    }
  }

  private read(stream: NodeJS.ReadableStream): Promise<void> {
    return new Promise((resolve) => {
      const lines = lineSplitter((line) => {
        if (!line.trim()) return
        try {
          this.hooks.onEvent(JSON.parse(line) as EngineEvent)
        } catch (err) {
          logFailure('reading a container engine event', err, { line: line.slice(0, 200) })
        }
      })
      stream.on('data', (chunk: Buffer) => lines.push(chunk))
      stream.once('end', () => resolve())
      stream.once('close', () => resolve())
      stream.once('error', () => resolve())
    })
  }
}
