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
  /** Running, and still connected to this process. */
  alive(): boolean
  /** Whether this process waits for the host before it may exit (false for a spare nobody uses yet). */
  hold(held: boolean): void
}

type Holdable = { ref?(): void; unref?(): void } | null | undefined

export function spawnHost(): HostProcess {
  const entry = hostEntry()
  const child: ChildProcess = fork(entry.host, [], {
    execPath: process.execPath,
    // RSS of a host, measured by `npm run bench`: a 1 MiB young generation (a host allocates
    // little per request; the default 16 MiB semi-spaces were ~8 MiB after a few hundred
    // requests); no Maglev (its code and compiler pages were ~2 MiB, and the host's hot JS still
    // gets TurboFan); --expose-gc for garbage-collector.ts.
    execArgv: [
      ...process.execArgv,
      '--disable-warning=ExperimentalWarning',
      '--max-semi-space-size=1',
      '--no-maglev',
      '--expose-gc',
    ],
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
    alive: () => child.exitCode === null && child.signalCode === null && child.connected,
    hold: (held) => {
      for (const handle of [child, child.channel, child.stdout, child.stderr] as Holdable[])
        if (held) handle?.ref?.()
        else handle?.unref?.()
    },
  }
}
