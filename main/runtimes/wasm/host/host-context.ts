/** What a serve mode gets from its host process, and what it gives back. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FromHost, HostConfig, WorkloadStats } from './protocol.ts'

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never
/** A message about the workload being served; the host adds its id. */
export type WorkloadMessage = DistributiveOmit<Extract<FromHost, { id: string }>, 'id'>

/** One workload's view of its host process, which it may share with other workloads. */
export interface HostContext {
  config: HostConfig
  send: (m: WorkloadMessage) => void
  log: (line: string, stream?: 'system' | 'stderr') => void
  /** Scratch files of this host (CGI stdio), on tmpfs where there is one. */
  tmpDir: string
  /** The host serves other workloads too: guests run on its shared guest threads. */
  shared?: boolean
  /** Notes that the start reached a phase's end (sent with ready). */
  mark: (phase: string) => void
}

export interface Serving {
  stats(): WorkloadStats
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
