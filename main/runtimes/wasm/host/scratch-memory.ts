/**
 * Calls node:wasi with arguments the guest did not write: the strings are placed in a stretch of
 * the guest's linear memory for the length of one synchronous call, and that stretch is put
 * back exactly as it was afterwards. The stretch avoids every range given (where the call
 * writes its results, and the guest's own strings it still reads), so the guest never sees
 * the swap.
 */
export function withScratch<T>(
  memory: WebAssembly.Memory,
  strings: Uint8Array[],
  avoid: [ptr: number, len: number][],
  call: (ptrs: number[]) => T,
): T | undefined {
  const size = strings.reduce((n, s) => n + s.length, 0)
  const total = memory.buffer.byteLength
  const candidates = [0, ...avoid.map(([p, l]) => p + l)]
  const start = candidates.find(
    (s) => s + size <= total && avoid.every(([p, l]) => s + size <= p || s >= p + l),
  )
  if (start === undefined) return undefined
  const bytes = new Uint8Array(memory.buffer)
  const saved = bytes.slice(start, start + size)
  const ptrs: number[] = []
  let at = start
  for (const s of strings) {
    bytes.set(s, at)
    ptrs.push(at)
    at += s.length
  }
  try {
    return call(ptrs)
  } finally {
    new Uint8Array(memory.buffer).set(saved, start)
  }
}
