import { describe, expect, it } from 'vitest'
import { wasiVersion, witItems } from '../../main/runtimes/wasm/module/inspect.ts'
import { capMemory, PAGE_BYTES } from '../../main/runtimes/wasm/module/memory-limit.ts'
import { wasmFormat } from '../../main/runtimes/wasm/module/wasm-bytes.ts'

// (module (memory 2 100) (export "memory" (memory 0)))
const moduleWithMemory = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x05, 0x04, 0x01, 0x01, 0x02, 0x64, 0x07, 0x0a, 0x01, 0x06,
  0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00,
])

describe('wasiVersion', () => {
  it('names preview 1, the older unstable snapshot, or none', () => {
    expect(wasiVersion([{ module: 'env' }, { module: 'wasi_snapshot_preview1' }])).toBe('preview1')
    expect(wasiVersion([{ module: 'wasi_unstable' }])).toBe('unstable')
    expect(wasiVersion([{ module: 'env' }])).toBe('none')
    expect(wasiVersion([])).toBe('none')
  })
})

describe('witItems', () => {
  it('lists the imports and exports of a world', () => {
    const wit =
      'package root:component;\n\nworld root {\n  import wasi:io/poll@0.2.12;\n  import wasi:cli/stdout@0.2.12;\n\n  export wasi:http/incoming-handler@0.2.12;\n}\n'
    expect(witItems(wit, 'import')).toEqual(['wasi:io/poll@0.2.12', 'wasi:cli/stdout@0.2.12'])
    expect(witItems(wit, 'export')).toEqual(['wasi:http/incoming-handler@0.2.12'])
  })
})

describe('wasmFormat', () => {
  it('tells modules, components and other files apart', () => {
    expect(wasmFormat(moduleWithMemory)).toBe('module')
    expect(wasmFormat(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]))).toBe('component')
    expect(wasmFormat(new TextEncoder().encode('#!/bin/sh\necho hi\n'))).toBe('not-wasm')
    expect(wasmFormat(new Uint8Array([0x00, 0x61]))).toBe('not-wasm')
  })
})

describe('capMemory', () => {
  it('lowers the declared maximum to the limit, and the engine enforces it', () => {
    const { bytes } = capMemory(moduleWithMemory, 1, 'test') // 1 MiB = 16 pages
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>))
    const memory = instance.exports.memory as WebAssembly.Memory
    expect(memory.buffer.byteLength).toBe(2 * PAGE_BYTES)
    expect(memory.grow(14)).toBe(2)
    expect(() => memory.grow(1)).toThrow(RangeError)
  })

  it('leaves the module alone without a limit, and refuses one whose start is above it', () => {
    expect(capMemory(moduleWithMemory, undefined, 'test').bytes).toBe(moduleWithMemory)
    expect(() => capMemory(moduleWithMemory, 0.0625, 'test')).toThrow(/above its limit/) // 1 page < 2
  })
})
