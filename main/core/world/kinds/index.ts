import type { z } from 'zod'
import type { Kind } from '../../../../contract/kinds.ts'
import { containerFormat } from './container.ts'
import type { KindFormat } from './kind-format.ts'
import { vmFormat } from './vm.ts'
import { wasmFormat } from './wasm.ts'

/** Each kind's world-file format. A new kind is a compile error here until it has one. */
export const FORMATS = {
  container: containerFormat,
  vm: vmFormat,
  wasm: wasmFormat,
} as const satisfies { [K in Kind]: KindFormat }

export type Formats = typeof FORMATS

/** The format of a kind, typed loosely: for code that handles every kind alike. */
export function formatOf(kind: Kind): KindFormat<z.ZodType, unknown> {
  return FORMATS[kind] as unknown as KindFormat<z.ZodType, unknown>
}
