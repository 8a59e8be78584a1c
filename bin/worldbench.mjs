#!/usr/bin/env node
// The worldbench command. It runs the built CLI (out/cli, made by `npm run build`) on Node 24 (the
// Node line Electron 45 embeds); without a build, the TypeScript sources through Node's type
// stripping (WORLDBENCH_CLI=source forces that). When npm or a shell starts us with an older
// Node, hand over to the project's own Node 24 (the `node` devDependency) with the same arguments.
import { existsSync } from 'node:fs'
// A default import: Node 20 (which only hands over) has no enableCompileCache export.
import nodeModule from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const major = Number(process.versions.node.split('.')[0])
// The handed-over child learns on this fd when the launcher is gone (the pipe's write end closes).
const PARENT_PIPE_FD = 3

if (major >= 24) {
  // node:net and node:child_process load only where used: `--version` needs neither.
  if (process.env.WORLDBENCH_PARENT_PIPE) await exitWithParent()
  // node:wasi is stable enough for us; its "experimental" notice would only confuse CLI users.
  process.removeAllListeners('warning')
  process.on('warning', (w) => {
    if (w.name !== 'ExperimentalWarning') process.stderr.write(`${w.name}: ${w.message}\n`)
  })
  const built = join(root, 'out', 'cli', 'worldbench.js')
  if (process.env.WORLDBENCH_CLI !== 'source' && existsSync(built)) {
    process.setSourceMapsEnabled(true)
    // The Wasm host process and guest worker are built next to the app's main bundle.
    process.env.WORLDBENCH_WASM_HOST ??= join(root, 'out', 'main', 'wasm-host.cjs')
    process.env.WORLDBENCH_WASM_GUEST_WORKER ??= join(root, 'out', 'main', 'wasm-guest-worker.js')
    await import(built)
  } else if (process.features.typescript) {
    // Caches each source's stripped and compiled form (in the OS temp dir).
    nodeModule.enableCompileCache?.()
    await import('../main/cli-main.ts')
  } else {
    fail(
      `this Node ${process.versions.node} cannot run the TypeScript sources and there is no build.`,
      `run "npm run build" in ${root}.`,
    )
  }
} else {
  const node24 = join(root, 'node_modules', 'node', 'bin', 'node')
  if (!existsSync(node24)) {
    fail(
      `worldbench needs Node 24 or later (this is Node ${process.versions.node}).`,
      `run "npm ci" in ${root} to install the project's Node 24, or install Node 24.`,
    )
  }
  const { spawn } = await import('node:child_process')
  const child = spawn(node24, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
    env: { ...process.env, WORLDBENCH_PARENT_PIPE: String(PARENT_PIPE_FD) },
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

/**
 * A launcher killed outright (SIGKILL, a crash) cannot forward anything: the kernel closes its
 * end of the pipe, and the child treats that as a SIGTERM, so it stops what it started and exits
 * instead of living on as an orphan.
 */
async function exitWithParent() {
  const { Socket } = await import('node:net')
  delete process.env.WORLDBENCH_PARENT_PIPE
  const pipe = new Socket({ fd: PARENT_PIPE_FD, readable: true, writable: false })
  pipe.on('error', () => {})
  pipe.on('end', () => process.kill(process.pid, 'SIGTERM'))
  pipe.resume()
  pipe.unref()
}

function fail(message, hint) {
  process.stderr.write(`error: ${message}\nhint: ${hint}\n`)
  process.exit(1)
}
