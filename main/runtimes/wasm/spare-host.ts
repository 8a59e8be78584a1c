import type { WarmHint } from './host/protocol.ts'
import { type HostProcess, spawnHost } from './spawn-host.ts'

/**
 * One Wasm host process booted ahead of need, so a new workload does not wait for Node to start
 * and load its code paths (~58 of the ~70 ms of a cold start here, `npm run bench`). A spare is a
 * bare host: it has no workload, no directory, no port and no environment until start() sends it
 * one, and it exits with its parent like any host. While nobody uses it, it does not keep this
 * process alive.
 */
export class SpareHost {
  private spare: HostProcess | undefined
  private readonly spawn: () => HostProcess

  constructor(spawn: () => HostProcess = spawnHost) {
    this.spawn = spawn
  }

  /** Boots a spare if there is none, and has it ready the module that is likely to start next. */
  warm(hint: WarmHint): void {
    if (!this.spare?.alive()) {
      this.spare = this.spawn()
      this.spare.hold(false)
    }
    this.spare.send({ type: 'warm', hint })
  }

  /** The spare if one is up (a fresh host otherwise); it now keeps this process alive. */
  take(): HostProcess {
    const host = this.spare?.alive() ? this.spare : this.spawn()
    this.spare = undefined
    host.hold(true)
    return host
  }

  /** The spare's pid, if one is up. */
  get pid(): number | undefined {
    return this.spare?.alive() ? this.spare.pid : undefined
  }

  close(): void {
    this.spare?.kill()
    this.spare = undefined
  }
}
