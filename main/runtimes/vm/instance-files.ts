import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import type { PortBinding } from '../../../contract/api.ts'
import type { ReadySpec } from '../../core/readiness.ts'

/** What a VM's state folder holds, so a later Worldbench can find and adopt it. */
export interface VmMeta {
  id: string
  world: string
  workload: string
  ports: PortBinding[]
  binary: string
  accel: string
  memoryMiB: number
  pid: number
  qmpSocket: string
  startedAt: number
  /** The readiness probe, so an adopted VM is checked the same way before it is shown ready. */
  ready?: ReadySpec
}

export interface VmFiles {
  dir: string
  meta: string
  serialLog: string
  stderrLog: string
  pidFile: string
  qmpSocket: string
}

// Unix socket paths are limited to ~104 bytes (macOS) / 108 (Linux).
const MAX_SOCKET_PATH = 100
const QMP_ELSEWHERE = 'qmp.where'
const PRIVATE_PREFIX = 'wb-qmp-'

export function vmFiles(root: string, id: string): VmFiles {
  const dir = join(root, id)
  return {
    dir,
    meta: join(dir, 'meta.json'),
    serialLog: join(dir, 'serial.log'),
    stderrLog: join(dir, 'qemu.stderr'),
    pidFile: join(dir, 'qemu.pid'),
    qmpSocket: join(dir, 'qmp.sock'),
  }
}

/**
 * Keeps the QMP socket in the VM's folder unless that path is too long for a unix socket. Then it
 * goes into a fresh private folder made by mkdtemp (mode 0700, a random name: nobody else can
 * guess it, enter it or plant a socket there first), and that path is written into the VM's
 * folder before QEMU starts, so a Worldbench that crashed mid-start can still find the socket.
 */
export async function placeQmpSocket(files: VmFiles): Promise<void> {
  if (files.qmpSocket.length <= MAX_SOCKET_PATH) return
  const dir = await mkdtemp(join(tmpdir(), PRIVATE_PREFIX))
  files.qmpSocket = join(dir, 'qmp.sock')
  await writeFile(join(files.dir, QMP_ELSEWHERE), files.qmpSocket, { mode: 0o600 })
}

/** The QMP socket of a VM folder, wherever placeQmpSocket put it. */
export async function qmpSocketOf(dir: string): Promise<string> {
  const elsewhere = await readFile(join(dir, QMP_ELSEWHERE), 'utf8').catch(() => '')
  return elsewhere.trim() || join(dir, 'qmp.sock')
}

/**
 * The serial console's socket sits next to the QMP socket (in the VM's folder or its private
 * folder), under a name as long as qmp.sock so it fits wherever that fits. None when QMP is on TCP.
 */
export function consoleSocketOf(qmpSocket: string): string | undefined {
  return qmpSocket.startsWith('tcp:') ? undefined : join(dirname(qmpSocket), 'con.sock')
}

/** Written whole under a temporary name, then renamed: a kill never leaves half a meta.json. */
export function writeMetaSync(files: VmFiles, meta: VmMeta): void {
  mkdirSync(files.dir, { recursive: true, mode: 0o700 })
  writeFileSync(`${files.meta}.tmp`, `${JSON.stringify(meta, null, 2)}\n`, { mode: 0o600 })
  renameSync(`${files.meta}.tmp`, files.meta)
}

// A folder without meta.json may be a start in progress; only older ones are leftovers.
const UNFINISHED_GRACE_MS = 60_000

/** Every meta.json under root; old folders without a readable one are reported as stale. */
export async function scanMetas(root: string): Promise<{ metas: VmMeta[]; stale: string[] }> {
  const metas: VmMeta[] = []
  const stale: string[] = []
  const entries = await readdir(root, { withFileTypes: true }).catch(() => [])
  for (const e of entries) {
    if (!e.isDirectory()) continue
    try {
      const meta = JSON.parse(await readFile(join(root, e.name, 'meta.json'), 'utf8')) as VmMeta
      if (meta.id !== e.name || typeof meta.pid !== 'number') throw new Error('bad meta')
      metas.push(meta)
    } catch {
      const info = await stat(join(root, e.name)).catch(() => undefined)
      if (!info || Date.now() - info.mtimeMs > UNFINISHED_GRACE_MS) stale.push(join(root, e.name))
    }
  }
  return { metas, stale }
}

/** Removes a VM's folder, and the private folder of its socket when that lives outside it. */
export async function removeVmFiles(files: Pick<VmFiles, 'dir' | 'qmpSocket'>): Promise<void> {
  await rm(files.dir, { recursive: true, force: true })
  if (files.qmpSocket.startsWith(files.dir) || files.qmpSocket.startsWith('tcp:')) return
  const holder = dirname(files.qmpSocket)
  if (basename(holder).startsWith(PRIVATE_PREFIX)) await rm(holder, { recursive: true, force: true })
  else {
    await rm(files.qmpSocket, { force: true })
    const console = consoleSocketOf(files.qmpSocket)
    if (console) await rm(console, { force: true })
  }
}
