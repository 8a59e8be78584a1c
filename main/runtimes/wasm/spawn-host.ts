/**
 * The one place a Wasm host process is created. Under plain Node it is a `child_process.fork`
 * of host.ts with this process's Node and flags; the Electron shell swaps in `utilityProcess`
 * here. The host's stdout and stderr carry the guest's output; IPC carries the protocol.
 */
import { type ChildProcess, fork } from 'node:child_process'
import type { Readable } from 'node:stream'
import { stateSubdir } from '../../core/paths.ts'
import { hostEntry } from './host-entry.ts'
import type { FromHost, ToHost } from './protocol.ts'

export interface HostProcess {
  pid: number
  stdout: Readable
  stderr: Readable
  send(m: ToHost): void
  onMessage(listener: (m: FromHost) => void): void
  onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void
  kill(signal?: NodeJS.Signals): void
}

export function spawnHost(): HostProcess {
  const entry = hostEntry()
  const child: ChildProcess = fork(entry.host, [], {
    execPath: process.execPath,
    execArgv: [...process.execArgv, '--disable-warning=ExperimentalWarning'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'advanced',
    // Node's compile cache keeps the stripped TypeScript and V8 code of the host: start-up halves.
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      NODE_COMPILE_CACHE: stateSubdir('cache', 'node-compile'),
      ...(entry.guestWorker && { WORLDBENCH_WASM_GUEST_WORKER: entry.guestWorker }),
      // Inside Electron, process.execPath is the Electron binary: make it run the host as plain Node.
      ...(process.versions.electron && { ELECTRON_RUN_AS_NODE: '1' }),
    },
  })
  if (child.pid === undefined) throw new Error('the Wasm host process did not start')
  return {
    pid: child.pid,
    stdout: child.stdout!,
    stderr: child.stderr!,
    send: (m) => {
      if (child.connected) child.send(m)
    },
    onMessage: (listener) => child.on('message', (m) => listener(m as FromHost)),
    onExit: (listener) => child.on('close', listener),
    kill: (signal = 'SIGTERM') => {
      child.kill(signal)
    },
  }
}
