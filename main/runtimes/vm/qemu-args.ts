import type { MachineChoice } from './machine.ts'
import type { QemuArch } from './qemu-discovery.ts'

export interface QemuLaunch {
  arch: QemuArch
  accel: string
  /** From chooseMachine(). */
  machine: MachineChoice['machine']
  /** The host's TSC rate, which a TCG guest on microvm is told (see chooseMachine). */
  tscKhz?: number
  memoryMiB: number
  cpus: number
  kernel?: string
  initrd?: string
  append?: string
  disk?: string
  diskFormat?: 'raw' | 'qcow2'
  cloudInitSeed?: string
  /** [hostPort, guestPort, bindAddress] for each forwarded TCP port. */
  forwards: { host: number; guest: number; bind: string }[]
  serialLog: string
  /** Where the serial console also listens for one interactive session; none when absent. */
  consoleSocket?: string
  qmpSocket: string
  pidFile: string
  name: string
}

/** The argv of one VM: no shell, every value its own element. */
export function qemuArgs(l: QemuLaunch): string[] {
  const args = ['-name', l.name, '-nodefaults', '-no-user-config', '-display', 'none']
  args.push('-accel', l.accel)
  // microvm keeps its ACPI (a few tables, no PCI): QMP's system_powerdown reaches the guest as
  // a power-button press, so it can shut down cleanly.
  if (l.machine === 'microvm') args.push('-M', 'microvm,pcie=off')
  else if (l.machine === 'pc') args.push('-M', 'pc')
  else args.push('-M', 'virt', '-cpu', l.accel === 'tcg' ? 'max' : 'host')
  args.push('-m', String(l.memoryMiB), '-smp', String(l.cpus))
  if (l.kernel) {
    args.push('-kernel', l.kernel)
    if (l.initrd) args.push('-initrd', l.initrd)
    args.push('-append', kernelCommandLine(l.arch, l.append, l.machine, l.accel, l.tscKhz))
    // A guest reboot or panic (panic=-1) ends QEMU instead of looping forever.
    args.push('-no-reboot')
  }
  if (l.disk)
    args.push('-drive', `file=${qemuValue(l.disk)},if=virtio,format=${l.diskFormat ?? diskFormatOf(l.disk)}`)
  if (l.cloudInitSeed)
    args.push('-drive', `file=${qemuValue(l.cloudInitSeed)},if=virtio,format=raw,readonly=on`)
  const fwd = l.forwards.map((p) => `,hostfwd=tcp:${p.bind}:${p.host}-:${p.guest}`).join('')
  args.push('-netdev', `user,id=n0${fwd}`)
  args.push('-device', `${l.machine === 'microvm' ? 'virtio-net-device' : 'virtio-net-pci'},netdev=n0`)
  // Appended to, not truncated: the log starts with the line saying which machine was chosen.
  // With a console socket the log file is the chardev's logfile: it still gets everything the
  // guest prints, with or without a session connected.
  const serial = l.consoleSocket
    ? `socket,id=serial0,path=${qemuValue(l.consoleSocket)},server=on,wait=off,logfile=${qemuValue(l.serialLog)},logappend=on`
    : `file,id=serial0,path=${qemuValue(l.serialLog)},append=on`
  args.push('-chardev', serial, '-serial', 'chardev:serial0')
  args.push(
    '-qmp',
    l.qmpSocket.startsWith('tcp:')
      ? `${l.qmpSocket},server=on,wait=off`
      : `unix:${l.qmpSocket},server=on,wait=off`,
  )
  args.push('-pidfile', l.pidFile)
  return args
}

/**
 * The serial console is the instance's log, so it is always on the kernel command line. On
 * microvm the kernel is also told what is not there, so it does not spend the boot looking for
 * it; the workload's own `append` comes last and wins.
 */
export function kernelCommandLine(
  arch: QemuArch,
  append?: string,
  machine?: MachineChoice['machine'],
  accel?: string,
  tscKhz?: number,
): string {
  const extra = append?.trim() ?? ''
  const console = /(^|\s)console=/.test(extra) ? '' : `console=${arch === 'x86_64' ? 'ttyS0' : 'ttyAMA0'} `
  const panic = /(^|\s)panic=/.test(extra) ? '' : 'panic=-1 '
  let fast = ''
  if (machine === 'microvm') {
    fast = `${MICROVM_CMDLINE} `
    if (accel === 'tcg' && tscKhz) fast += `${tcgClockCmdline(tscKhz)} `
  }
  return `${console}${panic}${fast}${extra}`.trim()
}

/**
 * No PCI bus, no keyboard controller probing beyond the one microvm emulates, no display, few
 * messages. Then, as Kata Containers and libguestfs boot their guests: no crypto self-tests at boot
 * (cryptomgr.notests), expedited RCU grace periods, no rewriting of SMP instructions for one CPU
 * (noreplace-smp), one serial port (the console).
 */
const MICROVM_CMDLINE = [
  'pci=off i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd nomodeset',
  'cryptomgr.notests rcupdate.rcu_expedited=1 noreplace-smp 8250.nr_uarts=1 quiet',
].join(' ')

/**
 * Under TCG microvm has no clock a kernel can calibrate the TSC against (no HPET, no PM timer;
 * PIT calibration fails under emulation), and without a TSC rate the boot stalls at the local
 * APIC timer. The guest's TSC is the host's under TCG, so it is told the host's rate. KVM guests
 * have kvmclock and need none of it.
 */
function tcgClockCmdline(tscKhz: number): string {
  return `tsc_early_khz=${tscKhz} tsc=reliable no_timer_check`
}

export function diskFormatOf(path: string): 'raw' | 'qcow2' {
  return path.toLowerCase().endsWith('.qcow2') ? 'qcow2' : 'raw'
}

/** QEMU's option parser splits on commas; a literal comma in a path is written twice. */
function qemuValue(path: string): string {
  return path.replaceAll(',', ',,')
}
