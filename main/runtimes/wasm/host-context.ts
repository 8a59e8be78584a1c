/** What a serve mode gets from its host process, and what it gives back. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FromHost, HostConfig } from './protocol.ts'

export interface HostContext {
  config: HostConfig
  send: (m: FromHost) => void
  log: (line: string, stream?: 'system' | 'stderr') => void
  /** Scratch files of this host (CGI stdio), on tmpfs where there is one. */
  tmpDir: string
}

export interface Serving {
  guestMemoryBytes(): number
  requests(): number
  stop(): Promise<void>
}

export function makeTmpDir(): { dir: string; remove: () => void } {
  const base = process.platform === 'linux' ? '/dev/shm' : tmpdir()
  let dir: string
  try {
    dir = mkdtempSync(join(base, 'wb-wasm-'))
  } catch {
    dir = mkdtempSync(join(tmpdir(), 'wb-wasm-'))
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}
