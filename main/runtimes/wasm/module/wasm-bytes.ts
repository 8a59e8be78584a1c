export type WasmFormat = 'module' | 'component' | 'not-wasm'

const MAGIC = [0x00, 0x61, 0x73, 0x6d]

/** Module or component, told apart by the version/layer field after the `\0asm` magic. */
export function wasmFormat(bytes: Uint8Array): WasmFormat {
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b)) return 'not-wasm'
  // core module: version 1 (01 00 00 00); component: version 0x0d, layer 1 (0d 00 01 00)
  if (bytes[4] === 0x01 && bytes[5] === 0 && bytes[6] === 0 && bytes[7] === 0) return 'module'
  if (bytes[6] === 0x01 && bytes[7] === 0) return 'component'
  return 'not-wasm'
}
