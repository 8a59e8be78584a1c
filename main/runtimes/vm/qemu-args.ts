import type { QemuArch } from './qemu-discovery.ts'

export interface QemuLaunch {
  arch: QemuArch
  accel: string
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
  qmpSocket: string
  pidFile: string
  name: string
}

/** The argv of one VM: no shell, every value its own element. */
export function qemuArgs(l: QemuLaunch): string[] {
  const args = ['-name', l.name, '-nodefaults', '-no-user-config', '-display', 'none']
  args.push('-accel', l.accel)
  if (l.arch === 'x86_64') args.push('-M', 'pc')
  else args.push('-M', 'virt', '-cpu', l.accel === 'tcg' ? 'max' : 'host')
  args.push('-m', String(l.memoryMiB), '-smp', String(l.cpus))
  if (l.kernel) {
    args.push('-kernel', l.kernel)
    if (l.initrd) args.push('-initrd', l.initrd)
    args.push('-append', kernelCommandLine(l.arch, l.append))
    // A guest reboot or panic (panic=-1) ends QEMU instead of looping forever.
    args.push('-no-reboot')
  }
  if (l.disk)
    args.push('-drive', `file=${driveValue(l.disk)},if=virtio,format=${l.diskFormat ?? diskFormatOf(l.disk)}`)
  if (l.cloudInitSeed)
    args.push('-drive', `file=${driveValue(l.cloudInitSeed)},if=virtio,format=raw,readonly=on`)
  const fwd = l.forwards.map((p) => `,hostfwd=tcp:${p.bind}:${p.host}-:${p.guest}`).join('')
  args.push('-netdev', `user,id=n0${fwd}`, '-device', 'virtio-net-pci,netdev=n0')
  args.push('-serial', `file:${l.serialLog}`)
  args.push(
    '-qmp',
    l.qmpSocket.startsWith('tcp:')
      ? `${l.qmpSocket},server=on,wait=off`
      : `unix:${l.qmpSocket},server=on,wait=off`,
  )
  args.push('-pidfile', l.pidFile)
  return args
}

/** The serial console is the instance's log, so it is always on the kernel command line. */
export function kernelCommandLine(arch: QemuArch, append?: string): string {
  const extra = append?.trim() ?? ''
  const console = /(^|\s)console=/.test(extra) ? '' : `console=${arch === 'x86_64' ? 'ttyS0' : 'ttyAMA0'} `
  const panic = /(^|\s)panic=/.test(extra) ? '' : 'panic=-1 '
  return `${console}${panic}${extra}`.trim()
}

export function diskFormatOf(path: string): 'raw' | 'qcow2' {
  return path.toLowerCase().endsWith('.qcow2') ? 'qcow2' : 'raw'
}

/** QEMU's option parser splits on commas; a literal comma in a path is written twice. */
function driveValue(path: string): string {
  return path.replaceAll(',', ',,')
}
