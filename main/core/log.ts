/**
 * The service's log: what went wrong where nobody was waiting for an answer (a cleanup that
 * failed, an engine event that could not be read, a file that could not be removed). JSON lines in
 * `<state dir>/logs/worldbench.log` (pino); with WORLDBENCH_DEV=1 also readable lines on stderr.
 * Level from WORLDBENCH_LOG_LEVEL (default "info").
 */
import { mkdirSync, renameSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import type { DestinationStream, Level, Logger, StreamEntry } from 'pino'
import { stateDir } from './paths.ts'

export type Log = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>

const MAX_LOG_BYTES = 5 << 20

// pino loads on the first line logged: a command that logs nothing (`ps`, `--version`) never pays for it.
const loadPino = () => createRequire(import.meta.url)('pino') as typeof import('pino')

let current: { dir: string; logger: Logger } | undefined

function consoleStream(pino: typeof import('pino')): DestinationStream {
  return {
    write(line: string) {
      const { level, msg, time, ...rest } = JSON.parse(line) as Record<string, unknown>
      const name = pino.levels.labels[Number(level)] ?? String(level)
      delete rest.pid
      delete rest.hostname
      const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : ''
      process.stderr.write(`[worldbench] ${name} ${String(msg)}${extra}\n`)
    },
  }
}

/** The logger of the current state dir (tests and the desktop shell may change it). */
export function log(): Log {
  const dir = stateDir()
  if (current?.dir === dir) return current.logger
  const pino = loadPino()
  mkdirSync(join(dir, 'logs'), { recursive: true, mode: 0o700 })
  const path = join(dir, 'logs', 'worldbench.log')
  // One older file is kept: a log that only grows would be a mess left behind.
  if ((statSync(path, { throwIfNoEntry: false })?.size ?? 0) > MAX_LOG_BYTES) renameSync(path, `${path}.1`)
  const file = pino.destination({ dest: path, sync: true, mode: 0o600 })
  const level = process.env.WORLDBENCH_LOG_LEVEL ?? 'info'
  const streams: StreamEntry[] = [{ stream: file, level: level as Level }]
  if (process.env.WORLDBENCH_DEV === '1') streams.push({ stream: consoleStream(pino), level: level as Level })
  current = { dir, logger: pino({ level, base: { pid: process.pid } }, pino.multistream(streams)) }
  return current.logger
}

/** For a catch where the failure is not the caller's business but must not vanish. */
export function logFailure(what: string, err: unknown, context: Record<string, unknown> = {}): void {
  log().warn({ ...context, err }, what)
}
