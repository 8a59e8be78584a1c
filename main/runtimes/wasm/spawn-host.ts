/**
 * The one place a Wasm host process is created. Under plain Node it is a `child_process.fork`
 * of the host with this process's Node; the Electron shell swaps in `utilityProcess` through
 * setHostSpawner (main/electron/utility-host.ts). The host's stdout and stderr carry the guest's
 * output; messages carry the protocol.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { stateSubdir } from '../../core/paths.ts'
import type { FromHost, ToHost } from './host/protocol.ts'
import { type HostEntry, hostEntry } from './host-entry.ts'

export interface HostProcess {
  /** Known once the OS process exists (at once for fork, after 'spawn' for a utility process). */
  readonly pid: number | undefined
  stdout: NodeJS.ReadableStream
  stderr: NodeJS.ReadableStream
  /** Only for a host forked with one (forkHostWithStdin). */
  stdin?: NodeJS.WritableStream
  send(m: ToHost): void
  onMessage(listener: (m: FromHost) => void): void
  onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void
  kill(signal?: NodeJS.Signals): void
  /** Running, and still connected to this process. */
  alive(): boolean
  /** Whether this process waits for the host before it may exit (false for a spare nobody uses yet). */
  hold(held: boolean): void
}

/**
 * V8 flags of every host, whoever starts it. RSS of a host, measured by `npm run bench`: a 1 MiB
 * young generation (a host allocates little per request; the default 16 MiB semi-spaces were
 * ~8 MiB after a few hundred requests); no Maglev (its code and compiler pages were ~2 MiB, and
 * the host's hot JS still gets TurboFan); --expose-gc for garbage-collector.ts.
 */
export const HOST_EXEC_ARGV = ['--max-semi-space-size=1', '--no-maglev', '--expose-gc']

/** The environment of every host: the guest worker it should use, and Node's compile cache. */
export function hostEnv(entry: HostEntry): Record<string, string | undefined> {
  return {
    ...process.env,
    NODE_OPTIONS: '',
    // Node's compile cache keeps the V8 code of the host (and stripped TypeScript): start-up halves.
    NODE_COMPILE_CACHE: stateSubdir('cache', 'node-compile'),
    ...(entry.guestWorker && { WORLDBENCH_WASM_GUEST_WORKER: entry.guestWorker }),
  }
}

let spawner: (entry: HostEntry) => HostProcess = forkHost

/** The Electron shell's way in: hosts become utility processes. */
export function setHostSpawner(spawn: (entry: HostEntry) => HostProcess): void {
  spawner = spawn
}

export function spawnHost(): HostProcess {
  return spawner(hostEntry())
}

/**
 * A host whose stdin is a pipe from this process, for a terminal session into a command. Always a
 * Node fork: Electron's utility processes have no stdin.
 */
export function forkHostWithStdin(): HostProcess {
  return forkHost(hostEntry(), true)
}

type Holdable = { ref?(): void; unref?(): void } | null | undefined

function forkHost(entry: HostEntry, withStdin = false): HostProcess {
  const child: ChildProcess = fork(entry.host, [], {
    execPath: process.execPath,
    execArgv: [...process.execArgv, '--disable-warning=ExperimentalWarning', ...HOST_EXEC_ARGV],
    stdio: [withStdin ? 'pipe' : 'ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'advanced',
    env: {
      ...hostEnv(entry),
      // Forked from inside Electron (a spawner not swapped in), process.execPath is the Electron
      // binary: make it run the host as plain Node.
      ...(process.versions.electron && { ELECTRON_RUN_AS_NODE: '1' }),
    },
  })
  if (child.pid === undefined) throw new Error('the Wasm host process did not start')
  return {
    pid: child.pid,
    stdout: child.stdout!,
    stderr: child.stderr!,
    ...(child.stdin && { stdin: child.stdin }),
    send: (m) => {
      // A host killed a moment ago fails the write (EPIPE): its exit is reported by onExit.
      if (child.connected) child.send(m, () => {})
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
