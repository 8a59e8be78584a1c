/**
 * Caps a preview 1 module's linear memory by rewriting its declared maximum: every memory the
 * module defines or imports gets `max = min(declared max, limit)`. The engine then refuses
 * `memory.grow` past the limit (malloc returns NULL), so the cap holds inside the engine, not
 * by polling. A module whose initial memory is already above the limit is refused.
 */
import { WorldbenchError } from '../../../core/errors.ts'

export const PAGE_BYTES = 65536
const SECTION_IMPORT = 2
const SECTION_MEMORY = 5

export interface MemoryImport {
  module: string
  name: string
  initialPages: number
  maximumPages: number | undefined
}

export interface CappedModule {
  bytes: Uint8Array
  /** Memories the module imports; the host must supply them with these limits. */
  memoryImports: MemoryImport[]
}

class Reader {
  pos: number
  readonly bytes: Uint8Array
  constructor(bytes: Uint8Array, pos: number) {
    this.bytes = bytes
    this.pos = pos
  }
  byte(): number {
    if (this.pos >= this.bytes.length) throw new Error('unexpected end of module')
    return this.bytes[this.pos++]!
  }
  u32(): number {
    let result = 0
    let shift = 0
    for (;;) {
      const b = this.byte()
      result += (b & 0x7f) * 2 ** shift
      if ((b & 0x80) === 0) return result
      shift += 7
    }
  }
  name(): string {
    const len = this.u32()
    const s = new TextDecoder().decode(this.bytes.subarray(this.pos, this.pos + len))
    this.pos += len
    return s
  }
}

function leb(n: number): number[] {
  const out: number[] = []
  do {
    let b = n % 128
    n = Math.floor(n / 128)
    if (n > 0) b |= 0x80
    out.push(b)
  } while (n > 0)
  return out
}

interface Limits {
  flags: number
  min: number
  max: number | undefined
}

function readLimits(r: Reader): Limits {
  const flags = r.byte()
  if (flags & 0x04)
    throw new WorldbenchError(
      'WASM_UNSUPPORTED',
      'The module uses 64-bit memory (memory64), which this engine does not run.',
      'Build for wasm32.',
    )
  const min = r.u32()
  const max = flags & 0x01 ? r.u32() : undefined
  return { flags, min, max }
}

function cappedLimits(l: Limits, limitPages: number, what: string): number[] {
  if (l.min > limitPages) {
    throw new WorldbenchError(
      'WASM_MEMORY_LIMIT',
      `${what} needs ${(l.min * PAGE_BYTES) / 2 ** 20} MiB of linear memory at start, above its limit of ${(limitPages * PAGE_BYTES) / 2 ** 20} MiB.`,
      'Raise limits.memoryMiB, or link the module with a smaller initial memory (-Wl,--initial-memory=…).',
    )
  }
  const max = Math.min(l.max ?? limitPages, limitPages)
  return [l.flags | 0x01, ...leb(l.min), ...leb(max)]
}

/** Returns the module's bytes with every memory capped at `limitMiB` (unchanged when no limit). */
export function capMemory(bytes: Uint8Array, limitMiB: number | undefined, what: string): CappedModule {
  const limitPages = limitMiB === undefined ? undefined : Math.floor((limitMiB * 2 ** 20) / PAGE_BYTES)
  const out: number[][] = [Array.from(bytes.subarray(0, 8))]
  const memoryImports: MemoryImport[] = []
  const r = new Reader(bytes, 8)
  while (r.pos < bytes.length) {
    const start = r.pos
    const id = r.byte()
    const size = r.u32()
    const bodyStart = r.pos
    const bodyEnd = bodyStart + size
    if (bodyEnd > bytes.length) throw new Error('section extends past the end of the module')
    if (id === SECTION_IMPORT || id === SECTION_MEMORY) {
      const body =
        id === SECTION_IMPORT
          ? rewriteImports(r, limitPages, what, memoryImports)
          : rewriteMemories(r, limitPages, what)
      r.pos = bodyEnd
      out.push([id, ...leb(body.length), ...body])
    } else {
      r.pos = bodyEnd
      out.push(Array.from(bytes.subarray(start, bodyEnd)))
    }
  }
  if (limitPages === undefined) return { bytes, memoryImports }
  return { bytes: Uint8Array.from(out.flat()), memoryImports }
}

function rewriteMemories(r: Reader, limitPages: number | undefined, what: string): number[] {
  const count = r.u32()
  const body = leb(count)
  for (let i = 0; i < count; i++) {
    const start = r.pos
    const l = readLimits(r)
    body.push(
      ...(limitPages === undefined
        ? Array.from(r.bytes.subarray(start, r.pos))
        : cappedLimits(l, limitPages, what)),
    )
  }
  return body
}

function rewriteImports(
  r: Reader,
  limitPages: number | undefined,
  what: string,
  memories: MemoryImport[],
): number[] {
  const count = r.u32()
  const body = leb(count)
  for (let i = 0; i < count; i++) {
    const start = r.pos
    const module = r.name()
    const name = r.name()
    const kind = r.byte()
    if (kind === 0x02) {
      const headerEnd = r.pos
      const l = readLimits(r)
      const capped =
        limitPages === undefined
          ? Array.from(r.bytes.subarray(headerEnd, r.pos))
          : cappedLimits(l, limitPages, what)
      const max = limitPages === undefined ? l.max : Math.min(l.max ?? limitPages, limitPages)
      memories.push({ module, name, initialPages: l.min, maximumPages: max })
      body.push(...Array.from(r.bytes.subarray(start, headerEnd)), ...capped)
      continue
    }
    skipImportDesc(r, kind)
    body.push(...Array.from(r.bytes.subarray(start, r.pos)))
  }
  return body
}

function skipImportDesc(r: Reader, kind: number): void {
  if (kind === 0x00)
    r.u32() // function: type index
  else if (kind === 0x01) {
    r.byte() // table: reftype, limits
    readLimits(r)
  } else if (kind === 0x03) {
    r.byte() // global: valtype, mutability
    r.byte()
  } else if (kind === 0x04) {
    r.byte() // tag: attribute, type index
    r.u32()
  } else throw new Error(`unknown import kind ${kind}`)
}
