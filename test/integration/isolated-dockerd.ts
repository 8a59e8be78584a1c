import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { sleep } from '../../main/core/readiness.ts'

/**
 * A second dockerd for tests that must stop and start the engine without touching the
 * machine's own. It gets its own bridge (wbtest0) and its own data and exec roots, exactly as
 * RECIPES.md says. Never `--bridge none`: that deletes the host's docker0.
 */
export class IsolatedDockerd {
  readonly dir: string
  readonly socket: string
  readonly bridge = 'wbtest0'
  private proc: ChildProcess | undefined

  constructor() {
    // Short path: containerd's sockets live under the exec root and unix paths are limited to 108 bytes.
    this.dir = mkdtempSync('/tmp/wbd-')
    this.socket = join(this.dir, 'd.sock')
  }

  async up(): Promise<void> {
    if (!bridgeExists(this.bridge)) {
      execFileSync('ip', ['link', 'add', this.bridge, 'type', 'bridge'])
      execFileSync('ip', ['addr', 'add', '10.213.0.1/24', 'dev', this.bridge])
      execFileSync('ip', ['link', 'set', this.bridge, 'up'])
    }
    await this.start()
  }

  async start(): Promise<void> {
    const log = openSync(join(this.dir, 'dockerd.log'), 'a')
    this.proc = spawn(
      'dockerd',
      [
        '--host',
        `unix://${this.socket}`,
        '--data-root',
        join(this.dir, 'data'),
        '--exec-root',
        join(this.dir, 'exec'),
        '--pidfile',
        join(this.dir, 'd.pid'),
        '--bridge',
        this.bridge,
        '--iptables=false',
        '--ip-masq=false',
      ],
      { stdio: ['ignore', log, log] },
    )
    const deadline = Date.now() + 30_000
    while (Date.now() < deadline) {
      if (this.proc.exitCode !== null) throw new Error(`isolated dockerd exited: ${this.log().slice(-2000)}`)
      try {
        execFileSync('docker', ['-H', `unix://${this.socket}`, 'version'], { stdio: 'ignore' })
        return
      } catch {
        await sleep(100)
      }
    }
    throw new Error(`isolated dockerd did not answer within 30 s: ${this.log().slice(-2000)}`)
  }

  /** SIGTERM and wait: dockerd stops its containers, then exits. */
  async stop(): Promise<void> {
    const p = this.proc
    if (!p || p.exitCode !== null) return
    const exited = new Promise<void>((r) => p.once('exit', () => r()))
    p.kill('SIGTERM')
    await Promise.race([exited, sleep(20_000)])
    if (p.exitCode === null && p.signalCode === null) {
      p.kill('SIGKILL')
      await exited
    }
    this.proc = undefined
  }

  docker(...args: string[]): string {
    return execFileSync('docker', ['-H', `unix://${this.socket}`, ...args], { encoding: 'utf8' })
  }

  async down(): Promise<void> {
    try {
      const ids = this.proc ? this.docker('ps', '-aq').split('\n').filter(Boolean) : []
      if (ids.length) this.docker('rm', '-f', ...ids)
    } catch {
      // The engine is already gone; its data root goes below.
    }
    await this.stop()
    if (bridgeExists(this.bridge)) execFileSync('ip', ['link', 'del', this.bridge])
    rmSync(this.dir, { recursive: true, force: true })
  }

  log(): string {
    const f = join(this.dir, 'dockerd.log')
    return existsSync(f) ? readFileSync(f, 'utf8') : ''
  }
}

function bridgeExists(name: string): boolean {
  try {
    execFileSync('ip', ['link', 'show', name], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
