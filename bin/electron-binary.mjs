// Where the Electron binary is, without asking the `electron` package: its index.js tries to
// download the binary when it is missing, which hangs or fails on machines without internet.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', 'electron')

/** The Electron executable, or undefined when it was not (or could not be) downloaded. */
export function electronBinary() {
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const p = join(
      process.env.ELECTRON_OVERRIDE_DIST_PATH,
      process.platform === 'win32' ? 'electron.exe' : 'electron',
    )
    return existsSync(p) ? p : undefined
  }
  const pathFile = join(pkgDir, 'path.txt')
  if (!existsSync(pathFile)) return undefined
  const bin = join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim())
  return existsSync(bin) ? bin : undefined
}
