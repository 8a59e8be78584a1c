#!/usr/bin/env node
// The worldbench command. The code is TypeScript run by Node 24's type stripping (the Node line
// Electron 45 embeds); when npm or a shell starts us with an older Node, hand over to the
// project's own Node 24 (the `node` devDependency) with the same arguments.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const major = Number(process.versions.node.split('.')[0])

if (major >= 24 && process.features.typescript) {
  // node:wasi is stable enough for us; its "experimental" notice would only confuse CLI users.
  process.removeAllListeners('warning')
  process.on('warning', (w) => {
    if (w.name !== 'ExperimentalWarning') process.stderr.write(`${w.name}: ${w.message}\n`)
  })
  // Started by the launcher below: when it is killed (even with -9, which it cannot pass on), act as
  // on SIGTERM, so a service stops its workloads and exits instead of running on orphaned.
  const launcher = Number(process.env.WORLDBENCH_LAUNCHER_PID)
  delete process.env.WORLDBENCH_LAUNCHER_PID
  if (launcher > 0) {
    const alive = () => {
      try {
        process.kill(launcher, 0)
        return process.ppid === launcher
      } catch {
        return false
      }
    }
    const watch = setInterval(() => {
      if (alive()) return
      clearInterval(watch)
      process.kill(process.pid, 'SIGTERM')
    }, 500)
    watch.unref()
  }
  const { runCli } = await import('../main/cli.ts')
  process.exitCode = await runCli(process.argv.slice(2))
} else {
  const node24 = join(root, 'node_modules', 'node', 'bin', 'node')
  if (!existsSync(node24)) {
    process.stderr.write(
      `error: worldbench needs Node 24 or later (this is Node ${process.versions.node}).\nhint: run "npm ci" in ${root} to install the project's Node 24, or install Node 24.\n`,
    )
    process.exit(1)
  }
  const child = spawn(node24, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, WORLDBENCH_LAUNCHER_PID: String(process.pid) },
  })
  // A terminal's Ctrl-C already reaches the child (same process group): forwarding SIGINT too
  // would make it a second, hurried one. Wait for the child; pass on what terminals do not send.
  process.on('SIGINT', () => {})
  for (const sig of ['SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig))
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal)
    else process.exit(code ?? 1)
  })
}
