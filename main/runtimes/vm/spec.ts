import type { PortBinding } from '../../../contract/api.ts'
import { WorldbenchError } from '../../core/errors.ts'
import type { Workload } from '../../core/world/schema.ts'
import { chooseMachine } from './machine.ts'
import { qemuArgs } from './qemu-args.ts'
import type { QemuInfo } from './qemu-discovery.ts'
import { accelUnavailable } from './vm-errors.ts'

/** A workload's `vm` section, and the QEMU choices it leads to (accelerator, machine, boot files). */
export type VmSpec = NonNullable<Workload['vm']>

export function vmSpec(w: Workload): VmSpec {
  if (!w.vm)
    throw new WorldbenchError(
      'VM_CONFIG',
      `${w.name} has no "vm" section.`,
      'Add vm: { kernel, initrd } or vm: { disk }.',
    )
  return w.vm
}

export function bootFiles(vm: VmSpec): { role: string; path: string }[] {
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

export function chooseAccel(workload: string, requested: VmSpec['accel'], info: QemuInfo): string {
  if (requested === 'auto') return info.accelerators[0] ?? 'tcg'
  if (info.accelerators.includes(requested)) return requested
  const why =
    info.failed[requested] ??
    `QEMU here only tries ${[...info.accelerators, ...Object.keys(info.failed)].join(', ')}`
  throw accelUnavailable(workload, requested, info.accelerators, why)
}

function machineFor(vm: VmSpec, info: QemuInfo, accel: string) {
  return chooseMachine({
    arch: info.arch,
    accel,
    machines: info.machines,
    kernel: vm.kernel,
    disk: vm.disk,
    cloudInitSeed: vm.cloudInit,
  })
}

function bootOf(vm: VmSpec) {
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

/** Where a launched QEMU keeps its files, and what it is called. */
export interface LaunchFiles {
  serialLog: string
  consoleSocket?: string
  qmpSocket: string
  pidFile: string
  name: string
}

/**
 * QEMU's command line for a VM, and the machine it boots as (and why): the same for a start and
 * for the bench's direct baseline.
 */
export function launchArgs(
  vm: VmSpec,
  info: QemuInfo,
  accel: string,
  forwards: PortBinding[],
  files: LaunchFiles,
): { argv: string[]; machine: string; reason: string } {
  const { machine, reason, tscKhz } = machineFor(vm, info, accel)
  const argv = qemuArgs({ arch: info.arch, accel, machine, tscKhz, ...bootOf(vm), forwards, ...files })
  return { argv, machine, reason }
}
