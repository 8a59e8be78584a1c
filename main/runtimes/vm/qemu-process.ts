import { type ChildProcess, spawn } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { constants as osConstants } from 'node:os'
import { isProcessAlive } from '../../core/process-alive.ts'
import { sleep } from '../../core/readiness.ts'

/** Whether a pid is a live process (zombies are not). */
export async function isAlive(pid: number): Promise<boolean> {
  return isProcessAlive(pid)
}

/** Whether the live process `pid` is the QEMU that serves `qmpSocket` (pids get reused). */
export async function isQemuWithSocket(pid: number, qmpSocket: string): Promise<boolean> {
  if (!(await isAlive(pid))) return false
  const cmdline = await commandLineOf(pid)
  // Where the OS will not tell (Windows), a live pid whose QMP socket answers is accepted by the caller.
  if (cmdline === undefined) return true
  return cmdline.includes('qemu-system') && cmdline.includes(qmpSocket)
}

async function commandLineOf(pid: number): Promise<string | undefined> {
  if (process.platform === 'linux') {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
    return raw.replaceAll('\0', ' ')
  }
  if (process.platform === 'win32') return undefined
  return new Promise((resolve) => {
    const ps = spawn('ps', ['-o', 'command=', '-p', String(pid)], { stdio: ['ignore', 'pipe', 'ignore'] })
    let out = ''
    ps.stdout.on('data', (d: Buffer) => (out += d.toString()))
    ps.once('error', () => resolve(''))
    ps.once('close', () => resolve(out))
  })
}

/** Polls until the process is gone; true if it went within timeoutMs. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (await isAlive(pid)) {
    if (Date.now() >= deadline) return false
    await sleep(25)
  }
  return true
}

/** The QEMU whose command line names this QMP socket, found through /proc (Linux). */
export async function findQemuBySocket(qmpSocket: string): Promise<number | undefined> {
  if (process.platform !== 'linux') return undefined
  for (const entry of await readdir('/proc').catch(() => [])) {
    const pid = Number(entry)
    if (pid > 0 && pid !== process.pid && (await isQemuWithSocket(pid, qmpSocket))) return pid
  }
  return undefined
}

/** QEMU's exit status as a shell reports it (128 + signal for a kill); waits a moment for it. */
export function exitCodeOf(child: ChildProcess): Promise<number | undefined> {
  const code = () =>
    child.signalCode ? 128 + (osConstants.signals[child.signalCode] ?? 0) : (child.exitCode ?? undefined)
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(code())
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), 2000)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve(code())
    })
  })
}
