import type { LogLine } from '../../contract/api.ts'

/** The last N log lines of one instance, kept so late viewers see what already happened. */
export class LogBuffer {
  private readonly lines: LogLine[] = []
  private readonly capacity: number

  constructor(capacity = 2000) {
    this.capacity = capacity
  }

  push(line: LogLine): void {
    this.lines.push(line)
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity)
  }

  tail(n: number): LogLine[] {
    return this.lines.slice(-n)
  }
}
