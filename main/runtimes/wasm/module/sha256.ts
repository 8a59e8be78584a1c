import { createHash } from 'node:crypto'

/** Content hash of an artifact (a module, a component), hex. Not for host processes: see load-module.ts. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}
