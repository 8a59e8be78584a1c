import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, statSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import type { InstallHint } from '../../../contract/api.ts'
import { stateSubdir } from '../../core/paths.ts'
import { sleep } from '../../core/readiness.ts'

/** Where QEMU was found, what it is, and which accelerators really ran a guest here. */
export interface QemuInfo {
  binary: string
  arch: QemuArch
  version: string
  /** Accelerators that really started a guest, best first; always ends with "tcg". */
  accelerators: string[]
  /** Candidates that were tried and failed, with why. */
  failed: Record<string, string>
  /** Machine types this binary offers (`-M help`). */
  machines: string[]
}

export type QemuArch = 'x86_64' | 'aarch64'

export const QEMU_INSTALL: InstallHint = {
  linux:
    'sudo apt-get install qemu-system-x86 (Debian/Ubuntu), sudo dnf install qemu-system-x86 (Fedora), or qemu-system-aarch64 on ARM',
  macos: 'brew install qemu',
  windows:
    'winget install SoftwareFreedomConservancy.QEMU (or the installer from qemu.org), then restart Worldbench',
}

export function hostQemuArch(): QemuArch {
  return process.arch === 'arm64' ? 'aarch64' : 'x86_64'
}

/** Finds qemu-system-<arch> on PATH and in the usual install folders. */
export function findQemuBinary(arch: QemuArch = hostQemuArch()): string | undefined {
  const exe = process.platform === 'win32' ? `qemu-system-${arch}.exe` : `qemu-system-${arch}`
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean)
  if (process.platform === 'darwin') dirs.push('/opt/homebrew/bin', '/usr/local/bin', '/opt/local/bin')
  if (process.platform === 'win32') {
    for (const base of [process.env.ProgramFiles, process.env['ProgramFiles(x86)'], 'C:\\Program Files']) {
      if (base) dirs.push(join(base, 'qemu'))
    }
  }
  if (process.platform === 'linux') dirs.push('/usr/bin', '/usr/local/bin', '/usr/libexec')
  for (const dir of dirs) {
    const candidate = join(dir, exe)
    if (existsSync(candidate)) return candidate
  }
  return undefined
}

const cache = new Map<string, Promise<QemuInfo>>()

/**
 * Version and working accelerators of one QEMU binary: probed once per binary per process, and
 * kept a day on disk (keyed by the binary's size and mtime and the accelerator device nodes), so
 * each CLI command does not pay the seconds a failing accelerator takes to prove it fails.
 */
export function discoverQemu(binary: string, arch: QemuArch = hostQemuArch()): Promise<QemuInfo> {
  let info = cache.get(binary)
  if (!info) {
    info = fromDiskCache(binary, arch).then(
      async (hit) => hit ?? toDiskCache(binary, arch, await probeBinary(binary, arch)),
    )
    info.catch(() => cache.delete(binary))
    cache.set(binary, info)
  }
  return info
}

const DISK_CACHE_MS = 24 * 60 * 60 * 1000

function diskCacheKey(binary: string, arch: QemuArch): string {
  const st = statSync(binary)
  // "2": the format of QemuInfo; an entry saved by an older Worldbench is probed again.
  return JSON.stringify([2, binary, arch, st.size, st.mtimeMs, hardwareCandidates(), existsSync('/dev/kvm')])
}

function diskCacheFile(binary: string): string {
  return join(
    stateSubdir('cache'),
    `qemu-${createHash('sha256').update(binary).digest('hex').slice(0, 16)}.json`,
  )
}

async function fromDiskCache(binary: string, arch: QemuArch): Promise<QemuInfo | undefined> {
  try {
    const saved = JSON.parse(await readFile(diskCacheFile(binary), 'utf8')) as {
      key: string
      at: number
      info: QemuInfo
    }
    if (saved.key === diskCacheKey(binary, arch) && Date.now() - saved.at < DISK_CACHE_MS) return saved.info
  } catch {
    // No cache yet, or an unreadable one: probe.
  }
  return undefined
}

async function toDiskCache(binary: string, arch: QemuArch, info: QemuInfo): Promise<QemuInfo> {
  await writeFile(
    diskCacheFile(binary),
    JSON.stringify({ key: diskCacheKey(binary, arch), at: Date.now(), info }),
  ).catch(() => undefined)
  return info
}

async function probeBinary(binary: string, arch: QemuArch): Promise<QemuInfo> {
  const out = await run(binary, ['--version'], 5000)
  const m = /version (\d+\.\d+\.\d+)/.exec(out.stdout)
  if (out.code !== 0 || !m)
    throw new Error(`${binary} --version failed: ${(out.stderr || out.stdout).trim()}`)
  const accelerators: string[] = []
  const failed: Record<string, string> = {}
  // Software emulation first: it is the yardstick a hardware accelerator must beat.
  const tcg = await tryAccelerator(binary, arch, 'tcg', ACCEL_PROBE_MS)
  const budget = Math.max(MIN_ACCEL_BUDGET_MS, 5 * (tcg.ms ?? 0))
  for (const accel of hardwareCandidates()) {
    const r = await tryAccelerator(binary, arch, accel, budget)
    if (r.ms !== undefined) accelerators.push(accel)
    else failed[accel] = r.why!
  }
  accelerators.push('tcg')
  return { binary, arch, version: m[1]!, accelerators, failed, machines: await machinesOf(binary) }
}

async function machinesOf(binary: string): Promise<string[]> {
  const out = await run(binary, ['-M', 'help'], 5000)
  // "Supported machines are:" then one "name   description" per line.
  return out.stdout
    .split('\n')
    .slice(1)
    .map((l) => l.split(/\s+/)[0] ?? '')
    .filter(Boolean)
}

function hardwareCandidates(): string[] {
  if (process.platform === 'linux') return existsSync('/dev/kvm') ? ['kvm'] : []
  if (process.platform === 'darwin') return ['hvf']
  if (process.platform === 'win32') return ['whpx']
  return []
}

const ACCEL_PROBE_MS = 10_000
const MIN_ACCEL_BUDGET_MS = 1500

/**
 * Runs a real guest with the accelerator. On x86 that is accel-probe-guest.S: it switches to
 * long mode with paging and then asks QEMU to exit with status 85. A KVM device node that
 * opens but cannot run a normal guest (nested or paravirtual KVM) hangs or crawls instead; an
 * accelerator slower than its budget is no use, so it fails too.
 * Returns the time taken, or why it failed.
 */
async function tryAccelerator(
  binary: string,
  arch: QemuArch,
  accel: string,
  budgetMs: number,
): Promise<{ ms?: number; why?: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'wb-accel-'))
  const args =
    arch === 'x86_64'
      ? [
          '-M',
          'pc',
          '-m',
          '16',
          '-kernel',
          join(dir, 'probe.bin'),
          '-device',
          'isa-debug-exit,iobase=0xf4,iosize=0x04',
        ]
      : ['-M', 'virt', '-cpu', accel === 'tcg' ? 'max' : 'host', '-m', '32', '-S']
  if (arch === 'x86_64') await writeFile(join(dir, 'probe.bin'), Buffer.from(X86_PROBE_GUEST, 'base64'))
  const started = performance.now()
  const child = spawn(
    binary,
    ['-accel', accel, '-nodefaults', '-display', 'none', '-no-user-config', '-no-reboot', ...args],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  )
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  let exit: number | null | undefined
  child.once('exit', (code) => (exit = code))
  child.once('error', (e) => {
    exit = null
    stderr += e.message
  })
  try {
    while (performance.now() - started < budgetMs) {
      await sleep(20)
      if (exit === 85) return { ms: performance.now() - started }
      if (exit !== undefined) return { why: firstLine(stderr) || `QEMU exited with ${exit}` }
      // No test guest on "virt": a paused guest QEMU kept alive for a moment is the best proof there.
      if (arch !== 'x86_64' && performance.now() - started > 500) return { ms: performance.now() - started }
    }
    const note = firstLine(stderr)
    return {
      why: `the test guest did not finish within ${(budgetMs / 1000).toFixed(1)}s${note ? ` (${note})` : ''}`,
    }
  } finally {
    if (exit === undefined) {
      child.kill('SIGKILL')
      await new Promise((r) => child.once('exit', r))
    }
    await rm(dir, { recursive: true, force: true })
  }
}

/** accel-probe-guest.S, assembled (166 bytes). */
const X86_PROBE_GUEST =
  'ArCtGwAAAQD+T1HkAAAQAAAAEAAAAAAAAAAAACAAEAD6vwAABwC5AAwAADHA86vHBQAABwADEAcAxwUAEAcAAyAHAMcFACAHAIMAAAAPIOCDyCAPIuC4AAAHAA8i2LmAAADADzINAAEAAA8wDyDADQEAAIAPIsAPARWgABAA6oUAEAAIALAq5vT06/0PH0AAAAAAAAAAAAD//wAAAJqvAA8AkAAQAA=='

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !/warning: host doesn't support/.test(l))[0] ?? ''
  )
}

function run(
  bin: string,
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, stdout, stderr }))
  })
}
