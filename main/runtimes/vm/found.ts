import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { CostPart } from '../../../contract/api.ts'
import { processPart } from '../../core/metrics/cost.ts'
import type { Instance } from '../../core/runtime.ts'
import { qmpSocketOf, removeVmFiles, scanMetas, type VmMeta } from './instance-files.ts'
import { findQemuBySocket, isAlive, isQemuWithSocket, waitForExit } from './qemu-process.ts'
import { qemuGone } from './vm-errors.ts'

/**
 * VMs found again from their state folders (for adopt and observe): which QEMU is still theirs,
 * and what to do with a folder whose start was cut short.
 */

/**
 * The live QEMU of a VM folder: the pid in meta.json, else QEMU's own pidfile, else (a kill
 * between spawn and writing the pid) the process whose command line names its QMP socket.
 */
export async function qemuPidOf(meta: VmMeta, dir: string): Promise<number> {
  const fromFile = await pidFileOf(dir)
  for (const pid of [meta.pid, fromFile])
    if (pid > 0 && (await isQemuWithSocket(pid, meta.qmpSocket))) return pid
  return (await findQemuBySocket(meta.qmpSocket)) ?? 0
}

/** A folder without meta.json: a start cut short by a crash. Its QEMU, if any, must not linger unseen. */
export async function reapUnfinished(dir: string): Promise<void> {
  const qmpSocket = await qmpSocketOf(dir)
  const pid = await pidFileOf(dir)
  if (pid > 0 && (await isQemuWithSocket(pid, qmpSocket))) {
    process.kill(pid, 'SIGKILL')
    await waitForExit(pid, 5000)
  }
  await removeVmFiles({ dir, qmpSocket })
}

/** VMs whose QEMU runs, read from their folders alone: no QMP (only the owner holds it), no reaping. */
export async function runningVms(root: string): Promise<Instance[]> {
  const { metas } = await scanMetas(root)
  const found: Instance[] = []
  for (const meta of metas) {
    const dir = join(root, meta.id)
    meta.pid = await qemuPidOf(meta, dir)
    if (meta.pid) found.push(instanceOf(meta, dir, 'running'))
  }
  return found
}

export function instanceOf(meta: VmMeta, dir: string, state: Instance['state']): Instance {
  return {
    id: meta.id,
    kind: 'vm',
    world: meta.world,
    workload: meta.workload,
    state,
    ports: meta.ports,
    handle: { pid: meta.pid, qmpSocket: meta.qmpSocket, stateDir: dir },
    startedAt: meta.startedAt,
    guestMemoryBytes: meta.memoryMiB * 1024 * 1024,
    ...(meta.ready && { ready: meta.ready }),
  }
}

async function pidFileOf(dir: string): Promise<number> {
  return Number((await readFile(join(dir, 'qemu.pid'), 'utf8').catch(() => '')).trim())
}

/** A VM costs its QEMU process (no helper processes: user-mode networking runs inside it). */
export async function qemuCost(i: Instance): Promise<CostPart[]> {
  const pid = i.handle.pid
  const part = pid && (await isAlive(pid)) ? await processPart(pid, 'qemu') : undefined
  if (!part) throw qemuGone(i)
  return [part]
}
