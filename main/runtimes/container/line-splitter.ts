/** Feeds chunks of a stream and calls onLine for every complete line (the engine's JSON streams are one object per line). */
export function lineSplitter(onLine: (line: string) => void): {
  push(chunk: Buffer | string): void
  flush(): void
} {
  let partial = ''
  return {
    push(chunk) {
      partial += typeof chunk === 'string' ? chunk : chunk.toString('utf8')
      const parts = partial.split('\n')
      partial = parts.pop() ?? ''
      for (const p of parts) onLine(p)
    },
    flush() {
      if (partial) onLine(partial)
      partial = ''
    },
  }
}
