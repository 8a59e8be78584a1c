import { parse } from '@bytecodealliance/jco'
import { describe, expect, it } from 'vitest'
import { garbageCollector } from '../../main/runtimes/wasm/host/garbage-collector.ts'
import { PROBE_WASM, PROBE_WAT } from '../../main/runtimes/wasm/host/warm-up.ts'

describe('the spare host warm-up probe', () => {
  it('is exactly its WAT source, assembled', async () => {
    expect(Buffer.from(await parse(PROBE_WAT)).equals(PROBE_WASM)).toBe(true)
  })

  it('imports nothing but fd_write, and exports _start and memory', () => {
    const module = new WebAssembly.Module(PROBE_WASM)
    expect(WebAssembly.Module.imports(module)).toEqual([
      { module: 'wasi_snapshot_preview1', name: 'fd_write', kind: 'function' },
    ])
    expect(WebAssembly.Module.exports(module).map((e) => e.name)).toEqual(['memory', '_start'])
  })
})

describe("a host's garbage collector", () => {
  // A counting stand-in for V8's gc(): when V8 collects is not something a test can observe.
  const countingGc = () => {
    const gc = () => {
      gc.calls++
    }
    gc.calls = 0
    return gc
  }

  it('collects after every 200 requests under steady load', () => {
    const gc = countingGc()
    const collector = garbageCollector(gc)
    for (let i = 0; i < 450; i++) collector.served()
    collector.stop()
    expect(gc.calls).toBe(2)
  })

  it('collects once the host has gone idle', async () => {
    const gc = countingGc()
    const collector = garbageCollector(gc)
    collector.served()
    expect(gc.calls).toBe(0)
    await new Promise((r) => setTimeout(r, 700))
    expect(gc.calls).toBe(1)
    collector.stop()
  })

  it('does nothing where gc is not exposed', () => {
    const collector = garbageCollector(undefined)
    expect(() => collector.served()).not.toThrow()
    collector.stop()
  })
})
