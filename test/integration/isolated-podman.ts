import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { sleep } from '../../main/core/readiness.ts'

/** True when the podman CLI is installed. */
export function podmanInstalled(): boolean {
  try {
    execFileSync('podman', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/**
 * A private `podman system service` for tests: its own socket, containers.conf, storage (vfs, so
 * nothing is mounted that teardown would have to unmount) and tmp dir, all in one temp folder.
 * Nothing it does touches the machine's Docker.
 */
export class IsolatedPodman {
  readonly dir: string
  readonly socket: string
  private proc: ChildProcess | undefined

  constructor() {
    this.dir = mkdtempSync('/tmp/wbp-')
    this.socket = join(this.dir, 'podman.sock')
    // Without lower ulimits every container fails here with "error setting rlimit type 7" (RECIPES.md).
    // No systemd in CI containers: cgroupfs, and events in a file instead of the journal.
    writeFileSync(
      join(this.dir, 'containers.conf'),
      [
        '[containers]',
        'default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]',
        '[engine]',
        'cgroup_manager = "cgroupfs"',
        'events_logger = "file"',
        // Networks a test creates are defined in this folder, not the machine's /etc/containers.
        '[network]',
        `network_config_dir = "${join(this.dir, 'networks')}"`,
        '',
      ].join('\n'),
    )
  }

  private get env(): NodeJS.ProcessEnv {
    return { ...process.env, CONTAINERS_CONF: join(this.dir, 'containers.conf') }
  }

  /** Starts the service and returns once it answers. */
  async up(): Promise<void> {
    const log = openSync(join(this.dir, 'service.log'), 'a')
    this.proc = spawn(
      'podman',
      [
        '--root',
        join(this.dir, 'root'),
        '--runroot',
        join(this.dir, 'run'),
        '--tmpdir',
        join(this.dir, 'tmp'),
        '--storage-driver',
        'vfs',
        'system',
        'service',
        '--time=0',
        `unix://${this.socket}`,
      ],
      { env: this.env, stdio: ['ignore', log, log] },
    )
    const deadline = Date.now() + 15_000
    // The socket appears a few tens of ms after the process starts.
    while (Date.now() < deadline) {
      if (this.proc.exitCode !== null) throw new Error(`podman service exited: ${this.log().slice(-2000)}`)
      try {
        this.podman('version')
        return
      } catch {
        await sleep(50)
      }
    }
    throw new Error(`podman service did not answer within 15 s: ${this.log().slice(-2000)}`)
  }

  /** The podman CLI as a client of this service. */
  podman(...args: string[]): string {
    return execFileSync('podman', ['--url', `unix://${this.socket}`, ...args], {
      encoding: 'utf8',
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
  }

  /** Removes every container, stops the service, deletes the folder. */
  async down(): Promise<void> {
    const p = this.proc
    if (p && p.exitCode === null) {
      try {
        const ids = this.podman('ps', '-aq').split('\n').filter(Boolean)
        if (ids.length) this.podman('rm', '-f', '-t', '0', ...ids)
      } catch {
        // Already gone; the folder goes below.
      }
      const exited = new Promise<void>((r) => p.once('exit', () => r()))
      p.kill('SIGTERM')
      await Promise.race([exited, sleep(5000)])
      if (p.exitCode === null && p.signalCode === null) {
        p.kill('SIGKILL')
        await exited
      }
    }
    this.proc = undefined
    this.killLeftoverConmons()
    rmSync(this.dir, { recursive: true, force: true })
  }

  /**
   * Each `podman exec` leaves a conmon behind that sleeps 300 s (its --exit-delay) before a
   * cleanup nobody needs once the container is gone. Only conmons whose command line names this
   * service's own temp folder are ours.
   */
  private killLeftoverConmons(): void {
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      let argv: string[]
      try {
        argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
      } catch {
        continue
      }
      if (argv[0]?.endsWith('conmon') && argv.some((a) => a.startsWith(`${this.dir}/`))) {
        try {
          process.kill(Number(pid), 'SIGKILL')
        } catch {
          // Exited meanwhile.
        }
      }
    }
  }

  log(): string {
    const f = join(this.dir, 'service.log')
    return existsSync(f) ? readFileSync(f, 'utf8') : ''
  }
}
