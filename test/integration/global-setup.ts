import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Every integration run gets its own state dir, so it never touches a user's worlds. */
export default function setup(): () => void {
  const home = mkdtempSync(join(tmpdir(), 'wb-it-'))
  process.env.WORLDBENCH_HOME = home
  process.env.WB_IT_ROOT = home
  return () => rmSync(home, { recursive: true, force: true })
}
