import type { EngineStatus } from '../../../contract/api.ts'
import { toErrorShape } from '../../core/errors.ts'
import { chooseMachine } from './machine.ts'
import { QEMU_INSTALL, type QemuInfo } from './qemu-discovery.ts'

/** What doctor shows about QEMU: found or why not, its accelerators and the machines it boots. */
export async function probeQemu(qemu: () => Promise<QemuInfo>): Promise<EngineStatus> {
  let info: QemuInfo
  try {
    info = await qemu()
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

/** For doctor and the bench environment: what kernel boots and disk boots run on with this QEMU. */
function describeMachines(info: QemuInfo): string {
  const accel = info.accelerators[0] ?? 'tcg'
  const kernelBoot = chooseMachine({ ...info, accel, kernel: 'vmlinuz' })
  const diskBoot = chooseMachine({ ...info, accel, disk: 'disk.img' })
  return `${kernelBoot.machine} for a kernel + initramfs (${kernelBoot.reason}), ${diskBoot.machine} for disks`
}
