import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, existsSync, openSync, statSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CostPart, EngineStatus, LogLine, PortBinding, Sample } from '../../../contract/api.ts'
import { WorldbenchError } from '../../core/errors.ts'
import { newInstanceId } from '../../core/ids.ts'
import { logFailure } from '../../core/log.ts'
import { processSamplePart, processStats } from '../../core/metrics/process-stats.ts'
import { stateSubdir } from '../../core/paths.ts'
import { bindPorts, freePort } from '../../core/ports.ts'
import type {
  Artifact,
  DirectRun,
  Instance,
  LogOptions,
  Progress,
  Runtime,
  RuntimeEvent,
  StartOptions,
  TerminalStream,
} from '../../core/runtime.ts'
import { epochNow, type StartMark } from '../../core/start-timeline.ts'
import { pauseForTest } from '../../core/test-pause.ts'
import { readySpec } from '../../core/world/ready-spec.ts'
import type { Workload } from '../../core/world/schema.ts'
import { followBootMarks } from './boot-marks.ts'
import { runBuildScript } from './build-script.ts'
import { connectWhileStarting } from './connect.ts'
import { consoleOption, VmConsoles } from './console.ts'
import { instanceOf, qemuCost, qemuPidOf, reapUnfinished, runningVms } from './found.ts'
import {
  placeQmpSocket,
  removeVmFiles,
  scanMetas,
  type VmMeta,
  vmFiles,
  writeMetaSync,
} from './instance-files.ts'
import { kernelVersion } from './kernel-version.ts'
import { probeQemu } from './probe.ts'
import { discoverQemu, findQemuBinary, type QemuInfo } from './qemu-discovery.ts'
import { exitCodeOf, isAlive, isQemuWithSocket, waitForExit } from './qemu-process.ts'
import { QmpClient } from './qmp.ts'
import { readSerial, tailSerial } from './serial-log.ts'
import { shutDownQemu } from './shutdown.ts'
import { bootFiles, chooseAccel, launchArgs, vmSpec } from './spec.ts'
import { qemuGone, qemuMissing, vmFileMissing } from './vm-errors.ts'

export interface VmRuntimeOptions {
  /** Path to qemu-system-<arch>; found on PATH and in the usual install folders when absent. */
  qemuBinary?: string
  /** Where each VM's folder (meta.json, serial.log, qmp.sock, qemu.pid) lives. */
  stateDir?: string
}

const DEFAULT_STOP_MS = 10_000

/** VMs through QEMU: a detached process per VM, driven over its QMP socket. */
export class VmRuntime implements Runtime {
  readonly kind = 'vm' as const
  private readonly options: VmRuntimeOptions
  private readonly clients = new Map<string, QmpClient>()
  private readonly stopping = new Set<string>()
  /** Starts under way in this process: their folders are not leftovers. */
  private readonly starting = new Set<string>()
  private readonly listeners = new Set<(e: RuntimeEvent) => void>()
  private readonly consoles = new VmConsoles()

  constructor(options: VmRuntimeOptions = {}) {
    this.options = options
  }

  probe(): Promise<EngineStatus> {
    return probeQemu(() => this.qemu())
  }

  async prepare(w: Workload, progress: Progress): Promise<Artifact> {
    const vm = vmSpec(w)
    let files = bootFiles(vm)
    if (vm.build && files.some((f) => !existsSync(f.path))) {
      const outDir = join(files[0]!.path, '..')
      progress({ step: 'build VM image', message: `${vm.build} ${outDir}` })
      await runBuildScript(vm.build, outDir, (line) => progress({ step: 'build VM image', message: line }))
      files = bootFiles(vm)
    }
    let bytes = 0
    const details: Record<string, string | number> = {}
    for (const f of files) {
      if (!existsSync(f.path)) throw vmFileMissing(w.name, f.role, f.path, Boolean(vm.build))
      bytes += statSync(f.path).size
      details[f.role] = f.path
    }
    const version = vm.kernel ? await kernelVersion(vm.kernel) : undefined
    if (version) details.kernelVersion = version
    return { kind: 'vm', ref: files[0]!.path, bytes, details }
  }

  async start(w: Workload, _artifact?: Artifact, opts: StartOptions = {}): Promise<Instance> {
    const vm = vmSpec(w)
    const info = await this.qemu()
    for (const f of bootFiles(vm)) {
      if (!existsSync(f.path)) throw vmFileMissing(w.name, f.role, f.path, false)
    }
    if (vm.cloudInit && statSync(vm.cloudInit).isDirectory()) {
      throw new WorldbenchError(
        'VM_CLOUD_INIT_FOLDER',
        `The cloud-init seed of ${w.name} is a folder: ${vm.cloudInit}`,
        'Pack it into a seed image (cloud-localds seed.img user-data meta-data, or genisoimage -volid cidata) and point vm.cloudInit at that file.',
      )
    }
    const accel = chooseAccel(w.name, vm.accel, info)
    const ports = await bindPorts(w.ports, `${w.world}/${w.name}`)
    const id = opts.id ?? newInstanceId(w)
    const files = vmFiles(this.root(), id)
    await mkdir(files.dir, { recursive: true, mode: 0o700 })
    if (process.platform === 'win32') files.qmpSocket = `tcp:127.0.0.1:${await freePort()}`
    else await placeQmpSocket(files)
    // The VM's identity is on disk before QEMU exists (pid 0: not spawned yet), and its pid right
    // after, so a kill at any point leaves something the next owner adopts or reaps.
    const meta: VmMeta = {
      id,
      world: w.world,
      workload: w.name,
      ports,
      binary: info.binary,
      accel,
      memoryMiB: vm.memoryMiB,
      pid: 0,
      qmpSocket: files.qmpSocket,
      startedAt: Date.now(),
      ready: readySpec(w),
    }
    this.starting.add(id)
    writeMetaSync(files, meta)
    await pauseForTest('vm:intent')

    const { argv, machine, reason } = launchArgs(vm, info, accel, ports, {
      serialLog: files.serialLog,
      ...consoleOption(files.qmpSocket),
      qmpSocket: files.qmpSocket,
      pidFile: files.pidFile,
      name: `worldbench:${id}`,
    })
    // The serial log (the instance's log) opens with what the VM was booted as, and why.
    await writeFile(files.serialLog, `worldbench: booting -M ${machine} (${reason})\n`, { mode: 0o600 })
    const stderrFd = openSync(files.stderrLog, 'w')
    // Detached: the VM outlives a crash of Worldbench and is adopted when it comes back.
    const child = spawn(info.binary, argv, {
      detached: true,
      stdio: ['ignore', 'ignore', stderrFd],
      windowsHide: true,
    })
    closeSync(stderrFd)
    if (child.pid) writeMetaSync(files, { ...meta, pid: child.pid })
    const marks: StartMark[] = []
    const pid = child.pid
    void followBootMarks(files.serialLog, marks, async () => (pid ? isAlive(pid) : false)).catch(
      (err: unknown) => logFailure('following the boot marks of a VM', err, { instance: id }),
    )
    try {
      await pauseForTest('vm:spawned')
      const client = await connectWhileStarting(child, files.qmpSocket, w.name, ports, files.stderrLog)
      marks.push({ phase: 'QEMU process', at: epochNow(), beforeReady: true })
      child.unref()
      meta.pid = child.pid!
      this.track(id, client, child)
      this.starting.delete(id)
      return { ...instanceOf(meta, files.dir, 'running'), marks }
    } catch (err) {
      this.starting.delete(id)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      if (child.pid) await waitForExit(child.pid, 5000)
      await removeVmFiles(files)
      throw err
    }
  }

  /** The bench's baseline: the same QEMU command line spawned directly, killed afterwards. */
  async startDirect(w: Workload, _a: Artifact, ports: PortBinding[]): Promise<DirectRun> {
    const vm = vmSpec(w)
    const info = await this.qemu()
    const dir = await mkdtemp(join(tmpdir(), 'wb-direct-vm-'))
    const accel = chooseAccel(w.name, vm.accel, info)
    const { argv } = launchArgs(vm, info, accel, ports, {
      serialLog: join(dir, 'serial.log'),
      qmpSocket: join(dir, 'qmp.sock'),
      pidFile: join(dir, 'qemu.pid'),
      name: 'worldbench-direct',
    })
    const child = spawn(info.binary, argv, { stdio: 'ignore', windowsHide: true })
    return {
      stop: async () => {
        child.kill('SIGKILL')
        if (child.pid) await waitForExit(child.pid, 5000)
        await rm(dir, { recursive: true, force: true })
      },
    }
  }

  async stop(i: Instance, opts: { timeoutMs?: number } = {}): Promise<void> {
    const { pid, qmpSocket, stateDir } = i.handle
    if (!stateDir || !qmpSocket)
      throw new WorldbenchError(
        'VM_HANDLE',
        `${i.id} has no VM state folder.`,
        'This is a bug in Worldbench.',
      )
    this.stopping.add(i.id)
    try {
      if (pid && (await isQemuWithSocket(pid, qmpSocket)))
        await shutDownQemu(this.clients.get(i.id), pid, qmpSocket, opts.timeoutMs ?? DEFAULT_STOP_MS)
    } finally {
      this.clients.get(i.id)?.close()
      this.clients.delete(i.id)
      this.stopping.delete(i.id)
      await removeVmFiles({ dir: stateDir, qmpSocket })
    }
  }

  /** A VM costs its QEMU process (no helper processes: user-mode networking runs inside it). */
  cost(i: Instance): Promise<CostPart[]> {
    return qemuCost(i)
  }

  async sample(i: Instance): Promise<Sample> {
    const pid = i.handle.pid
    if (!pid || !(await isAlive(pid))) throw qemuGone(i)
    const stats = await processStats(pid).catch(() => undefined)
    if (!stats) throw qemuGone(i)
    const qemu = processSamplePart(pid, 'qemu', stats)
    const sample: Sample = {
      t: Date.now(),
      cpuPercent: stats.cpuPercent,
      memoryBytes: qemu.memoryBytes,
      parts: [qemu],
    }
    if (stats.pssBytes !== undefined) sample.pssBytes = stats.pssBytes
    if (i.guestMemoryBytes !== undefined) sample.guestMemoryBytes = i.guestMemoryBytes
    return sample
  }

  logs(i: Instance, opts: LogOptions = {}): AsyncIterable<LogLine> {
    const pid = i.handle.pid
    return readSerial(serialLogOf(i), { ...opts, alive: async () => (pid ? isAlive(pid) : false) })
  }

  async adopt(): Promise<Instance[]> {
    const { metas, stale } = await scanMetas(this.root())
    for (const dir of stale) await reapUnfinished(dir)
    const found: Instance[] = []
    for (const meta of metas) {
      const dir = join(this.root(), meta.id)
      if (this.starting.has(meta.id)) continue
      meta.pid = await qemuPidOf(meta, dir)
      if (!meta.pid) {
        // Its start was cut short before QEMU ran, or QEMU is gone: nothing to adopt.
        await removeVmFiles({ dir, qmpSocket: meta.qmpSocket })
        continue
      }
      writeMetaSync(vmFiles(this.root(), meta.id), meta)
      const existing = this.clients.get(meta.id)
      const client =
        existing && !existing.isClosed
          ? existing
          : await QmpClient.connect(meta.qmpSocket).catch(() => undefined)
      if (!client) {
        // Alive and ours, but its monitor does not answer: still shown, so it can be stopped (killed).
        found.push({
          ...instanceOf(meta, dir, 'unknown'),
          reason: 'QEMU is running but its QMP socket does not answer',
        })
        continue
      }
      this.track(meta.id, client)
      const status = await client
        .execute<{ status: string }>('query-status')
        .catch(() => ({ status: 'unknown' }))
      const inst = instanceOf(meta, dir, status.status === 'running' ? 'running' : 'unknown')
      if (status.status !== 'running') inst.reason = `QEMU status: ${status.status}`
      found.push(inst)
    }
    return found
  }

  /** VMs whose QEMU runs, read from their folders alone: no QMP (only the owner holds it), no reaping. */
  observe(): Promise<Instance[]> {
    return runningVms(this.root())
  }

  watch(listener: (e: RuntimeEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** The VM's serial console, interactive: one session per VM, a new one takes over. */
  terminal(i: Instance): Promise<TerminalStream> {
    return this.consoles.connect(i)
  }

  /** The QMP connection of a running VM (for status queries); undefined when not connected. */
  qmpOf(i: Instance): QmpClient | undefined {
    return this.clients.get(i.id)
  }

  async close(): Promise<void> {
    this.consoles.closeAll()
    for (const c of this.clients.values()) c.close()
    this.clients.clear()
    this.listeners.clear()
  }

  private root(): string {
    return this.options.stateDir ?? stateSubdir('vms')
  }

  private async qemu(): Promise<QemuInfo> {
    const binary = this.options.qemuBinary ?? findQemuBinary()
    if (!binary || !existsSync(binary)) throw qemuMissing(binary)
    return discoverQemu(binary)
  }

  /**
   * Watches a VM through its monitor: a shutdown QEMU announced (guest poweroff, a TERM from
   * outside) is a stop; a monitor that just closes means QEMU was killed or crashed: a failure,
   * which restart policies answer. The exit status is known when QEMU is this process's child.
   */
  private track(id: string, client: QmpClient, child?: ChildProcess): void {
    this.clients.set(id, client)
    let shutdown: string | undefined
    client.on('SHUTDOWN', (ev: { data?: { guest?: boolean; reason?: string } }) => {
      shutdown = ev.data?.guest ? 'the guest powered off' : `QEMU shut down (${ev.data?.reason ?? 'unknown'})`
    })
    client.once('close', async () => {
      if (this.clients.get(id) === client) this.clients.delete(id)
      if (this.stopping.has(id)) return
      const exitCode = child ? await exitCodeOf(child) : undefined
      if (this.stopping.has(id)) return
      const event: RuntimeEvent = shutdown
        ? { instanceId: id, state: 'stopped', reason: shutdown }
        : {
            instanceId: id,
            state: 'failed',
            reason: `QEMU ended without shutting down${exitCode !== undefined ? ` (exit ${exitCode})` : ' (killed?)'}`,
          }
      if (exitCode !== undefined) event.exitCode = exitCode
      for (const l of this.listeners) l(event)
    })
  }
}

/** The last n lines of a VM's serial console: what to show when it never became ready. */
export function lastSerialLines(i: Instance, n = 20): Promise<string[]> {
  return tailSerial(serialLogOf(i), n)
}

function serialLogOf(i: Instance): string {
  if (!i.handle.stateDir)
    throw new WorldbenchError('VM_HANDLE', `${i.id} has no VM state folder.`, 'This is a bug in Worldbench.')
  return join(i.handle.stateDir, 'serial.log')
}
