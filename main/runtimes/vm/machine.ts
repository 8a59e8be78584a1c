import { readFileSync } from 'node:fs'
import type { QemuArch } from './qemu-discovery.ts'

/** The QEMU machine a VM boots on, and why: shown in the VM's log and the bench environment. */
export interface MachineChoice {
  machine: 'microvm' | 'pc' | 'virt'
  reason: string
  /** Under TCG on microvm: the host TSC rate the guest is told (it has nothing to measure it by). */
  tscKhz?: number
}

/**
 * A kernel + initramfs with nothing on a disk boots the way microVM tools do: `-M microvm`, no
 * firmware beyond qboot, no PCI, virtio over MMIO. Everything else keeps `-M pc` (PCI, a BIOS),
 * which disk images and their kernels expect. microvm is used under KVM and TCG only: those are
 * the accelerators it has been run with here.
 */
export function chooseMachine(o: {
  arch: QemuArch
  accel: string
  machines: string[] | undefined
  kernel?: string | undefined
  disk?: string | undefined
  cloudInitSeed?: string | undefined
  /** The host's TSC rate in kHz; defaults to hostTscKhz(). */
  tscKhz?: number | undefined
}): MachineChoice {
  if (o.arch !== 'x86_64') return { machine: 'virt', reason: `${o.arch} guests use the virt machine` }
  if (!o.kernel) return { machine: 'pc', reason: 'a disk boot needs firmware and PCI' }
  if (o.disk || o.cloudInitSeed) return { machine: 'pc', reason: 'a VM with disks gets them over PCI' }
  if (!['kvm', 'tcg'].includes(o.accel))
    return { machine: 'pc', reason: `microvm is not used with ${o.accel} (only with kvm or tcg)` }
  if (!o.machines?.includes('microvm')) return { machine: 'pc', reason: 'this QEMU has no microvm machine' }
  const reason = 'a kernel and initramfs: no firmware, ACPI tables only, no PCI'
  if (o.accel !== 'tcg') return { machine: 'microvm', reason }
  const tscKhz = 'tscKhz' in o ? o.tscKhz : hostTscKhz()
  if (!tscKhz) return { machine: 'pc', reason: 'under TCG microvm needs the host TSC rate, unknown here' }
  return { machine: 'microvm', reason, tscKhz }
}

/**
 * The host's TSC rate, from Linux's /proc/cpuinfo ("cpu MHz": the TSC rate on virtual machines
 * and CPUs without frequency feedback; elsewhere the current clock, close enough for a guest
 * whose only use of it is keeping time). Undefined where there is no /proc/cpuinfo.
 */
export function hostTscKhz(): number | undefined {
  try {
    const m = /^cpu MHz\s*:\s*([\d.]+)/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))
    return m ? Math.round(Number(m[1]) * 1000) : undefined
  } catch {
    return undefined
  }
}
