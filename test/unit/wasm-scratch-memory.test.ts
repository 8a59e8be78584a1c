import { describe, expect, it } from 'vitest'
import { withScratch } from '../../main/runtimes/wasm/host/scratch-memory.ts'

describe('withScratch: strings placed in guest memory for one call', () => {
  it('avoids the given ranges and puts the memory back exactly', () => {
    const memory = new WebAssembly.Memory({ initial: 1 })
    const bytes = new Uint8Array(memory.buffer)
    for (let i = 0; i < bytes.length; i++) bytes[i] = i % 251
    const before = bytes.slice()
    const seen = withScratch(
      memory,
      [new TextEncoder().encode('abc')],
      [
        [0, 10],
        [12, 4],
      ],
      ([p]) => {
        expect(new TextDecoder().decode(new Uint8Array(memory.buffer, p!, 3))).toBe('abc')
        return p
      },
    )
    // [0,10) and [12,16) are taken; 10..13 would overlap the second: the first free start is 16.
    expect(seen).toBe(16)
    expect(new Uint8Array(memory.buffer).every((b, i) => b === before[i])).toBe(true)
  })

  it('gives up when the strings cannot fit', () => {
    const memory = new WebAssembly.Memory({ initial: 1 })
    expect(withScratch(memory, [new Uint8Array(65537)], [], () => 1)).toBeUndefined()
  })
})
