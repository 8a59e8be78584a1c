import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, existsSync, openSync, statSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { constants as osConstants, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CostPart, EngineStatus, LogLine, PortBinding, Sample } from '../../../contract/api.ts'
import { toErrorShape, WorldbenchError } from '../../core/errors.ts'
import { newInstanceId } from '../../core/ids.ts'
import { processPart } from '../../core/metrics/cost.ts'
import { processSamplePart, processStats } from '../../core/metrics/process-stats.ts'
import { stateSubdir } from '../../core/paths.ts'
import { bindPorts, freePort } from '../../core/ports.ts'
import { readySpec, sleep } from '../../core/readiness.ts'
import type {
  Artifact,
  DirectRun,
  Instance,
  LogOptions,
  Progress,
  Runtime,
  RuntimeEvent,
  StartOptions,
} from '../../core/runtime.ts'
import { epochNow, type StartMark } from '../../core/start-timeline.ts'
import { pauseForTest } from '../../core/test-pause.ts'
import type { Workload } from '../../core/world/schema.ts'
import { followBootMarks } from './boot-marks.ts'
import { runBuildScript } from './build-script.ts'
import {
  placeQmpSocket,
  qmpSocketOf,
  removeVmFiles,
  scanMetas,
  type VmMeta,
  vmFiles,
  writeMetaSync,
} from './instance-files.ts'
import { kernelVersion } from './kernel-version.ts'
import { chooseMachine } from './machine.ts'
import { qemuArgs } from './qemu-args.ts'
import { discoverQemu, findQemuBinary, QEMU_INSTALL, type QemuInfo } from './qemu-discovery.ts'
import { findQemuBySocket, isAlive, isQemuWithSocket, waitForExit } from './qemu-process.ts'
import { QmpClient } from './qmp.ts'
import { readSerial, tailSerial } from './serial-log.ts'
import { accelUnavailable, earlyExit, qemuMissing, vmFileMissing } from './vm-errors.ts'

export interface VmRuntimeOptions {
  /** Path to qemu-system-<arch>; found on PATH and in the usual install folders when absent. */
  qemuBinary?: string
  /** Where each VM's folder (meta.json, serial.log, qmp.sock, qemu.pid) lives. */
  stateDir?: string
}

const START_TIMEOUT_MS = 30_000
const QUIT_GRACE_MS = 3000
const DEFAULT_STOP_MS = 10_000

type VmSpec = NonNullable<Workload['vm']>

/** VMs through QEMU: a detached process per VM, driven over its QMP socket. */
export class VmRuntime implements Runtime {
  readonly kind = 'vm' as const
  private readonly options: VmRuntimeOptions
  private readonly clients = new Map<string, QmpClient>()
  private readonly stopping = new Set<string>()
  /** Starts under way in this process: their folders are not leftovers. */
  private readonly starting = new Set<string>()
  private readonly listeners = new Set<(e: RuntimeEvent) => void>()

  constructor(options: VmRuntimeOptions = {}) {
    this.options = options
  }

  async probe(): Promise<EngineStatus> {
    let info: QemuInfo
    try {
      info = await this.qemu()
    } catch (err) {
      return {
        kind: 'vm',
        available: false,
        details: {},
        warnings: [],
        error: toErrorShape(err),
        install: QEMU_INSTALL,
      }
    }
    const details: Record<string, string> = {
      binary: info.binary,
      arch: info.arch,
      accelerators: info.accelerators.join(', '),
      machine: describeMachines(info),
    }
    for (const [accel, why] of Object.entries(info.failed)) details[`${accel}`] = `not working: ${why}`
    const warnings: string[] = []
    if (info.accelerators[0] === 'tcg') {
      const tried = Object.keys(info.failed)
      warnings.push(
        `software emulation: VMs are 10–50× slower${tried.length ? ` (${tried.join(', ')} did not work here)` : ''}`,
      )
    }
    return {
      kind: 'vm',
      available: true,
      engine: `QEMU ${info.version}`,
      version: info.version,
      details,
      warnings,
    }
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

    const { machine, reason, tscKhz } = machineFor(vm, info, accel)
    // The serial log (the instance's log) opens with what the VM was booted as, and why.
    await writeFile(files.serialLog, `worldbench: booting -M ${machine} (${reason})\n`, { mode: 0o600 })
    const argv = qemuArgs({
      arch: info.arch,
      accel,
      machine,
      tscKhz,
      ...bootOf(vm),
      forwards: ports,
      serialLog: files.serialLog,
      qmpSocket: files.qmpSocket,
      pidFile: files.pidFile,
      name: `worldbench:${id}`,
    })
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
      () => undefined,
    )
    try {
      await pauseForTest('vm:spawned')
      const client = await this.connectWhileStarting(child, files.qmpSocket, w.name, ports, files.stderrLog)
      marks.push({ phase: 'QEMU process', at: epochNow() })
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
    const { machine, tscKhz } = machineFor(vm, info, accel)
    const argv = qemuArgs({
      arch: info.arch,
      accel,
      machine,
      tscKhz,
      ...bootOf(vm),
      forwards: ports,
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
        await this.shutDown(i.id, pid, qmpSocket, opts.timeoutMs ?? DEFAULT_STOP_MS)
    } finally {
      this.clients.get(i.id)?.close()
      this.clients.delete(i.id)
      this.stopping.delete(i.id)
      await removeVmFiles({ dir: stateDir, qmpSocket })
    }
  }

  /** A VM costs its QEMU process (no helper processes: user-mode networking runs inside it). */
  async cost(i: Instance): Promise<CostPart[]> {
    const pid = i.handle.pid
    const part = pid ? await processPart(pid, 'qemu') : undefined
    if (!part)
      throw new WorldbenchError(
        'VM_GONE',
        `The QEMU process of ${i.id} is not running.`,
        'The VM exited; see its serial log.',
      )
    return [part]
  }

  async sample(i: Instance): Promise<Sample> {
    const pid = i.handle.pid
    if (!pid || !(await isAlive(pid))) {
      throw new WorldbenchError(
        'VM_GONE',
        `The QEMU process of ${i.id} is not running.`,
        'The VM exited; see its serial log.',
      )
    }
    const stats = await processStats(pid)
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
    for (const dir of stale) await this.reapUnfinished(dir)
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
  async observe(): Promise<Instance[]> {
    const { metas } = await scanMetas(this.root())
    const found: Instance[] = []
    for (const meta of metas) {
      const dir = join(this.root(), meta.id)
      meta.pid = await qemuPidOf(meta, dir)
      if (meta.pid) found.push(instanceOf(meta, dir, 'running'))
    }
    return found
  }

  watch(listener: (e: RuntimeEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** The QMP connection of a running VM (for status queries); undefined when not connected. */
  qmpOf(i: Instance): QmpClient | undefined {
    return this.clients.get(i.id)
  }

  async close(): Promise<void> {
    for (const c of this.clients.values()) c.close()
    this.clients.clear()
    this.listeners.clear()
  }

  /** A folder without meta.json: a start cut short by a crash. Its QEMU, if any, must not linger unseen. */
  private async reapUnfinished(dir: string): Promise<void> {
    const qmpSocket = await qmpSocketOf(dir)
    const pid = Number((await readFile(join(dir, 'qemu.pid'), 'utf8').catch(() => '')).trim())
    if (pid > 0 && (await isQemuWithSocket(pid, qmpSocket))) {
      process.kill(pid, 'SIGKILL')
      await waitForExit(pid, 5000)
    }
    await removeVmFiles({ dir, qmpSocket })
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

  private async connectWhileStarting(
    child: ChildProcess,
    socket: string,
    workload: string,
    ports: { host: number; bind: string }[],
    stderrLog: string,
  ): Promise<QmpClient> {
    let spawnError: Error | undefined
    child.once('error', (e) => (spawnError = e))
    const deadline = Date.now() + START_TIMEOUT_MS
    while (true) {
      if (spawnError)
        throw new WorldbenchError(
          'VM_SPAWN',
          `Could not run QEMU for ${workload}: ${spawnError.message}`,
          'Check the QEMU binary (see Doctor).',
        )
      if (child.exitCode !== null || child.signalCode !== null) {
        throw earlyExit(
          workload,
          await readFile(stderrLog, 'utf8').catch(() => ''),
          child.exitCode,
          child.signalCode,
          ports,
        )
      }
      if (Date.now() > deadline) {
        throw new WorldbenchError(
          'VM_START_TIMEOUT',
          `QEMU for ${workload} did not open its monitor within ${START_TIMEOUT_MS / 1000}s.`,
          'The machine may be overloaded; try again.',
        )
      }
      let client: QmpClient | undefined
      try {
        client = await QmpClient.connect(socket, { timeoutMs: 2000 })
        await client.execute('query-status')
        return client
      } catch {
        client?.close()
        // Not listening yet, or QEMU is exiting: the next turn of the loop tells which.
        await sleep(50)
      }
    }
  }

  private async shutDown(id: string, pid: number, qmpSocket: string, timeoutMs: number): Promise<void> {
    const existing = this.clients.get(id)
    const client =
      existing && !existing.isClosed
        ? existing
        : await QmpClient.connect(qmpSocket, { timeoutMs: 2000 }).catch(() => undefined)
    if (client) {
      const status = await client
        .execute<{ status: string }>('query-status')
        .catch(() => ({ status: 'unknown' }))
      // A paused or crashed guest cannot react to ACPI; skip straight to quit.
      if (status.status === 'running') {
        await client.execute('system_powerdown').catch(() => {})
        if (await waitForExit(pid, timeoutMs)) return
      }
      await client.execute('quit').catch(() => {})
      if (await waitForExit(pid, QUIT_GRACE_MS)) return
    }
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      return
    }
    await waitForExit(pid, 5000)
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

function vmSpec(w: Workload): VmSpec {
  if (!w.vm)
    throw new WorldbenchError(
      'VM_CONFIG',
      `${w.name} has no "vm" section.`,
      'Add vm: { kernel, initrd } or vm: { disk }.',
    )
  return w.vm
}

function bootFiles(vm: VmSpec): { role: string; path: string }[] {
  const files: { role: string; path: string }[] = []
  if (vm.kernel) files.push({ role: 'kernel', path: vm.kernel })
  if (vm.initrd) files.push({ role: 'initrd', path: vm.initrd })
  if (vm.disk) files.push({ role: 'disk', path: vm.disk })
  if (vm.cloudInit) files.push({ role: 'cloudInit', path: vm.cloudInit })
  if (files.length === 0)
    throw new WorldbenchError(
      'VM_CONFIG',
      'A vm needs a kernel (with an initrd) or a disk.',
      'Set vm.kernel or vm.disk.',
    )
  return files
}

function chooseAccel(workload: string, requested: VmSpec['accel'], info: QemuInfo): string {
  if (requested === 'auto') return info.accelerators[0] ?? 'tcg'
  if (info.accelerators.includes(requested)) return requested
  const why =
    info.failed[requested] ??
    `QEMU here only tries ${[...info.accelerators, ...Object.keys(info.failed)].join(', ')}`
  throw accelUnavailable(workload, requested, info.accelerators, why)
}

/** QEMU's exit status as a shell reports it (128 + signal for a kill); waits a moment for it. */
function exitCodeOf(child: ChildProcess): Promise<number | undefined> {
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

/**
 * The live QEMU of a VM folder: the pid in meta.json, else QEMU's own pidfile, else (a kill
 * between spawn and writing the pid) the process whose command line names its QMP socket.
 */
async function qemuPidOf(meta: VmMeta, dir: string): Promise<number> {
  const fromFile = Number((await readFile(join(dir, 'qemu.pid'), 'utf8').catch(() => '')).trim())
  for (const pid of [meta.pid, fromFile])
    if (pid > 0 && (await isQemuWithSocket(pid, meta.qmpSocket))) return pid
  return (await findQemuBySocket(meta.qmpSocket)) ?? 0
}

function instanceOf(meta: VmMeta, dir: string, state: Instance['state']): Instance {
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

/** For doctor and the bench environment: what kernel boots and disk boots run on with this QEMU. */
function describeMachines(info: QemuInfo): string {
  const accel = info.accelerators[0] ?? 'tcg'
  const kernelBoot = chooseMachine({ ...info, accel, kernel: 'vmlinuz' })
  const diskBoot = chooseMachine({ ...info, accel, disk: 'disk.img' })
  return `${kernelBoot.machine} for a kernel + initramfs (${kernelBoot.reason}), ${diskBoot.machine} for disks`
}

function machineFor(vm: ReturnType<typeof vmSpec>, info: QemuInfo, accel: string) {
  return chooseMachine({
    arch: info.arch,
    accel,
    machines: info.machines,
    kernel: vm.kernel,
    disk: vm.disk,
    cloudInitSeed: vm.cloudInit,
  })
}

/** What the guest boots from and with: the same for a start and for the bench's direct baseline. */
function bootOf(vm: ReturnType<typeof vmSpec>) {
  return {
    memoryMiB: vm.memoryMiB,
    cpus: vm.cpus,
    kernel: vm.kernel,
    initrd: vm.initrd,
    append: vm.append,
    disk: vm.disk,
    diskFormat: vm.diskFormat,
    cloudInitSeed: vm.cloudInit,
  }
}
