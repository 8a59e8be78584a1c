import { mkdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

let override: string | undefined

/** Electron's userData is handed in by the desktop shell; everything else finds the dir itself. */
export function setStateDir(dir: string): void {
  override = resolve(dir)
}

/** The state dir: Electron userData, else $WORLDBENCH_HOME, else the XDG state dir. Created 0700. */
export function stateDir(): string {
  const dir = override ?? process.env.WORLDBENCH_HOME ?? defaultStateDir()
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  return dir
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
