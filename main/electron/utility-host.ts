/**
 * Wasm hosts as Electron utility processes: Chromium's own kind of Node child, sandboxed from
 * the renderer, named in the task manager, and ended by Electron when the app ends. Set up once
 * by main/index.ts; everything else about hosts is shared with plain Node (spawn-host.ts).
 */
import { utilityProcess } from 'electron'
import type { FromHost } from '../runtimes/wasm/host/protocol.ts'
import type { HostEntry } from '../runtimes/wasm/host-entry.ts'
import { HOST_EXEC_ARGV, type HostProcess, hostEnv } from '../runtimes/wasm/spawn-host.ts'

export function utilityHost(entry: HostEntry): HostProcess {
  const child = utilityProcess.fork(entry.host, [], {
    execArgv: HOST_EXEC_ARGV,
    stdio: 'pipe',
    serviceName: 'Worldbench Wasm host',
    env: hostEnv(entry),
  })
  if (!child.stdout || !child.stderr) throw new Error('the Wasm host process has no stdout/stderr')
  let exited = false
  child.once('exit', () => {
    exited = true
  })
  return {
    get pid() {
      return child.pid
    },
    stdout: child.stdout,
    stderr: child.stderr,
    send: (m) => {
      if (!exited) child.postMessage(m)
    },
    onMessage: (listener) => child.on('message', (m: FromHost) => listener(m)),
    // A utility process reports an exit code only; a signal shows as a non-zero code.
    onExit: (listener) => child.once('exit', (code) => listener(code, null)),
    kill: (signal = 'SIGTERM') => {
      if (signal === 'SIGTERM' || child.pid === undefined) child.kill()
      else process.kill(child.pid, signal)
    },
    alive: () => !exited,
    // Electron's main process does not wait on child handles to exit: nothing to hold or release.
    hold: () => {},
  }
}
