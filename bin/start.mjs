#!/usr/bin/env node
// `npm start`: opens the desktop app. Where no Electron binary can run (it cannot be downloaded on
// headless boxes like CI), starts web mode instead and prints the URL to open.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { electronBinary } from './electron-binary.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const run = (cmd, args) => spawn(cmd, args, { cwd: root, stdio: 'inherit' })

if (
  !existsSync(join(root, 'out', 'renderer', 'index.html')) ||
  !existsSync(join(root, 'out', 'main', 'index.js'))
) {
  const built = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' })
  if (built.status !== 0) process.exit(built.status ?? 1)
}

const electron = electronBinary()
const hasDisplay = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY)
let child
if (electron && hasDisplay) {
  child = run(electron, ['.'])
} else {
  process.stderr.write(
    electron
      ? 'No display found: starting web mode instead of the desktop window.\n'
      : 'No Electron binary here (it could not be downloaded): starting web mode instead.\n',
  )
  child = run(process.execPath, [join(root, 'bin', 'worldbench.mjs'), 'serve', ...process.argv.slice(2)])
}
// A terminal's Ctrl-C already reaches the child (same process group): forwarding SIGINT too
// would make it a second, hurried one. Wait for the child; pass on what terminals do not send.
process.on('SIGINT', () => {})
for (const sig of ['SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig))
child.on('exit', (code) => process.exit(code ?? 0))
