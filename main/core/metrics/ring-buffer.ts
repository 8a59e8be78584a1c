/** A fixed-size buffer of the most recent items; pushing past capacity drops the oldest. */
export class RingBuffer<T> {
  private readonly items: (T | undefined)[]
  private start = 0
  private count = 0

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('capacity must be a positive integer')
    this.items = new Array(capacity)
  }

  get capacity(): number {
    return this.items.length
  }

  get size(): number {
    return this.count
  }

  push(item: T): void {
    const end = (this.start + this.count) % this.items.length
    this.items[end] = item
    if (this.count < this.items.length) this.count++
    else this.start = (this.start + 1) % this.items.length
  }

  /** Oldest first. */
  toArray(): T[] {
    const out: T[] = new Array(this.count)
    for (let i = 0; i < this.count; i++) out[i] = this.items[(this.start + i) % this.items.length] as T
    return out
  }

  last(): T | undefined {
    return this.count === 0 ? undefined : this.items[(this.start + this.count - 1) % this.items.length]
  }
}
