import { chmodSync, mkdirSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { WorldbenchError } from './errors.ts'

let override: string | undefined

/** Electron's userData is handed in by the desktop shell; everything else finds the dir itself. */
export function setStateDir(dir: string): void {
  override = resolve(dir)
}

const tightened = new Set<string>()

/**
 * The state dir: Electron userData, else $WORLDBENCH_HOME, else the XDG state dir. Created 0700,
 * and tightened to 0700 when it already exists: it holds the control socket, the database and
 * VM sockets, which no other user may reach.
 */
export function stateDir(): string {
  const dir = override ?? process.env.WORLDBENCH_HOME ?? defaultStateDir()
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  if (!tightened.has(dir)) {
    makePrivate(dir)
    tightened.add(dir)
  }
  return dir
}

function makePrivate(dir: string): void {
  if (process.platform === 'win32') return
  const st = statSync(dir)
  if ((st.mode & 0o777) === 0o700) return
  // A sticky folder (like /tmp) is shared by design: locking it would break every other user.
  if (st.mode & 0o1000 || (process.getuid && st.uid !== process.getuid()))
    throw new WorldbenchError(
      'STATE_DIR_SHARED',
      `The state dir ${dir} is a shared folder (not yours, or sticky like /tmp).`,
      'Point $WORLDBENCH_HOME at a folder of its own, e.g. ~/.local/state/worldbench.',
    )
  chmodSync(dir, 0o700)
}

function defaultStateDir(): string {
  if (process.platform === 'win32')
    return join(process.env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'Worldbench')
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Worldbench')
  return join(process.env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'worldbench')
}

/** A subfolder of the state dir (e.g. "vms", "cache/wasm"), created on first use. */
export function stateSubdir(...parts: string[]): string {
  const dir = join(stateDir(), ...parts)
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  return dir
}

/** The project root, for resources/ and the built renderer (works from source and from out/). */
export function projectRoot(): string {
  return process.env.WORLDBENCH_ROOT ?? resolve(import.meta.dirname, '..', '..')
}
