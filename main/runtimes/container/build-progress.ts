import type { ProgressEvent } from '../../core/runtime.ts'

/** One JSON message of the engine's /build or /images/create stream. */
export interface StreamMessage {
  stream?: string
  status?: string
  id?: string
  progressDetail?: { current?: number; total?: number }
  error?: string
  errorDetail?: { message?: string }
  aux?: { ID?: string }
}

/**
 * Follows a classic-builder (or Buildah) log: "Step N/M : …" becomes a percent, and the output of the current
 * step is kept so a failure can show which step failed and what it printed.
 */
export class BuildTracker {
  step = ''
  stepOutput: string[] = []
  error: string | undefined
  imageId: string | undefined

  feed(msg: StreamMessage): ProgressEvent | undefined {
    if (msg.aux?.ID) this.imageId = msg.aux.ID
    if (msg.error || msg.errorDetail?.message) {
      this.error = (msg.errorDetail?.message ?? msg.error ?? '').trim()
      return undefined
    }
    if (!msg.stream) return undefined
    let last: ProgressEvent | undefined
    for (const raw of msg.stream.split('\n')) {
      const line = raw.trimEnd()
      if (!line) continue
      // Docker's classic builder says "Step 2/4 : COPY …", Podman's (Buildah) "STEP 2/4: COPY …".
      const m = /^Step (\d+)\/(\d+) ?: (.*)$/i.exec(line)
      if (m) {
        this.step = line
        this.stepOutput = []
        const n = Number(m[1])
        const total = Number(m[2])
        last = { step: 'build', percent: Math.round(((n - 1) / total) * 100), message: line }
      } else {
        this.stepOutput.push(line)
        if (this.stepOutput.length > 40) this.stepOutput.shift()
        last = { step: 'build', message: line }
      }
    }
    return last
  }
}

/** Sums every layer's bytes so a pull reports one percent. */
export class PullTracker {
  private readonly layers = new Map<string, { current: number; total: number }>()
  error: string | undefined

  feed(msg: StreamMessage): ProgressEvent | undefined {
    if (msg.error || msg.errorDetail?.message) {
      this.error = (msg.errorDetail?.message ?? msg.error ?? '').trim()
      return undefined
    }
    if (msg.id && msg.progressDetail?.total) {
      this.layers.set(msg.id, { current: msg.progressDetail.current ?? 0, total: msg.progressDetail.total })
    } else if (msg.id && (msg.status === 'Pull complete' || msg.status === 'Already exists')) {
      const l = this.layers.get(msg.id)
      if (l) l.current = l.total
    }
    let current = 0
    let total = 0
    for (const l of this.layers.values()) {
      current += l.current
      total += l.total
    }
    const percent = total > 0 ? Math.min(100, Math.round((current / total) * 100)) : undefined
    const message = [msg.id, msg.status].filter(Boolean).join(': ')
    return percent === undefined ? { step: 'pull', message } : { step: 'pull', percent, message }
  }
}
