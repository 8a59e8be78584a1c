import { describe, expect, it } from 'vitest'
import { chooseMachine } from '../../main/runtimes/vm/machine.ts'
import {
  diskFormatOf,
  kernelCommandLine,
  type QemuLaunch,
  qemuArgs,
} from '../../main/runtimes/vm/qemu-args.ts'
import { serialLines } from '../../main/runtimes/vm/serial-log.ts'

const base: QemuLaunch = {
  arch: 'x86_64',
  accel: 'tcg',
  machine: 'pc',
  memoryMiB: 128,
  cpus: 2,
  kernel: '/img/vmlinuz',
  initrd: '/img/initrd.img',
  append: 'quiet',
  forwards: [
    { host: 40001, guest: 80, bind: '127.0.0.1' },
    { host: 40002, guest: 22, bind: '127.0.0.1' },
  ],
  serialLog: '/state/vm1/serial.log',
  qmpSocket: '/state/vm1/qmp.sock',
  pidFile: '/state/vm1/qemu.pid',
  name: 'worldbench:vm1',
}

function argValues(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1]!] : []))
}

describe('qemuArgs', () => {
  it('boots a kernel with memory, cpus, accel, forwards on 127.0.0.1, serial file, QMP and pidfile', () => {
    const args = qemuArgs(base)
    expect(argValues(args, '-accel')).toEqual(['tcg'])
    expect(argValues(args, '-m')).toEqual(['128'])
    expect(argValues(args, '-smp')).toEqual(['2'])
    expect(argValues(args, '-kernel')).toEqual(['/img/vmlinuz'])
    expect(argValues(args, '-initrd')).toEqual(['/img/initrd.img'])
    expect(argValues(args, '-append')).toEqual(['console=ttyS0 panic=-1 quiet'])
    expect(argValues(args, '-netdev')).toEqual([
      'user,id=n0,hostfwd=tcp:127.0.0.1:40001-:80,hostfwd=tcp:127.0.0.1:40002-:22',
    ])
    expect(argValues(args, '-chardev')).toEqual(['file,id=serial0,path=/state/vm1/serial.log,append=on'])
    expect(argValues(args, '-serial')).toEqual(['chardev:serial0'])
    expect(argValues(args, '-M')).toEqual(['pc'])
    expect(argValues(args, '-device')).toEqual(['virtio-net-pci,netdev=n0'])
    expect(argValues(args, '-qmp')).toEqual(['unix:/state/vm1/qmp.sock,server=on,wait=off'])
    expect(argValues(args, '-pidfile')).toEqual(['/state/vm1/qemu.pid'])
    expect(args).toContain('-no-reboot')
  })

  it('serves the serial console on a socket that still logs everything to the serial file', () => {
    const args = qemuArgs({
      ...base,
      serialLog: '/state/a,b/serial.log',
      consoleSocket: '/state/a,b/con.sock',
    })
    expect(argValues(args, '-chardev')).toEqual([
      'socket,id=serial0,path=/state/a,,b/con.sock,server=on,wait=off,logfile=/state/a,,b/serial.log,logappend=on',
    ])
    expect(argValues(args, '-serial')).toEqual(['chardev:serial0'])
  })

  it('boots a disk over virtio, with the format from the name, and a read-only cloud-init seed', () => {
    const args = qemuArgs({
      ...base,
      kernel: undefined,
      initrd: undefined,
      disk: '/img/a,b.qcow2',
      cloudInitSeed: '/img/seed.img',
    })
    expect(argValues(args, '-drive')).toEqual([
      'file=/img/a,,b.qcow2,if=virtio,format=qcow2',
      'file=/img/seed.img,if=virtio,format=raw,readonly=on',
    ])
    expect(args).not.toContain('-kernel')
    expect(args).not.toContain('-append')
  })

  it('uses the virt machine and the host CPU on arm64 when accelerated', () => {
    const args = qemuArgs({ ...base, arch: 'aarch64', accel: 'hvf', machine: 'virt' })
    expect(argValues(args, '-M')).toEqual(['virt'])
    expect(argValues(args, '-cpu')).toEqual(['host'])
    expect(argValues(args, '-append')[0]).toMatch(/^console=ttyAMA0 /)
  })

  it('boots a microvm with virtio over MMIO and a kernel told what is not there', () => {
    const args = qemuArgs({ ...base, machine: 'microvm', tscKhz: 2445432 })
    expect(argValues(args, '-M')).toEqual(['microvm,pcie=off'])
    expect(argValues(args, '-device')).toEqual(['virtio-net-device,netdev=n0'])
    const cmdline = argValues(args, '-append')[0]!
    expect(cmdline).toMatch(
      /^console=ttyS0 panic=-1 pci=off i8042\.noaux .*i8042\.nopnp.* quiet tsc_early_khz=2445432 tsc=reliable no_timer_check quiet$/,
    )
    expect(cmdline).toContain(' cryptomgr.notests rcupdate.rcu_expedited=1 noreplace-smp 8250.nr_uarts=1 ')
    // The workload's own append comes last; KVM guests keep their timers.
    const kvm = argValues(qemuArgs({ ...base, machine: 'microvm', accel: 'kvm' }), '-append')[0]!
    expect(kvm).not.toContain('tsc_early_khz')
    expect(kvm.endsWith(' quiet')).toBe(true)
  })

  it('speaks QMP over TCP where there are no unix sockets', () => {
    expect(argValues(qemuArgs({ ...base, qmpSocket: 'tcp:127.0.0.1:4444' }), '-qmp')).toEqual([
      'tcp:127.0.0.1:4444,server=on,wait=off',
    ])
  })
})

describe('kernelCommandLine', () => {
  it('keeps a console and panic setting the workload chose', () => {
    expect(kernelCommandLine('x86_64', 'console=tty0 panic=10 init=/bin/sh')).toBe(
      'console=tty0 panic=10 init=/bin/sh',
    )
    expect(kernelCommandLine('x86_64')).toBe('console=ttyS0 panic=-1')
  })
})

describe('chooseMachine', () => {
  const x86 = { arch: 'x86_64' as const, accel: 'tcg', machines: ['microvm', 'pc', 'q35'] }
  it('boots a kernel and initramfs on microvm, and says why not when it cannot', () => {
    expect(chooseMachine({ ...x86, kernel: 'k', tscKhz: 2e6 })).toMatchObject({
      machine: 'microvm',
      tscKhz: 2e6,
    })
    expect(chooseMachine({ ...x86, kernel: 'k', tscKhz: undefined }).reason).toMatch(/TSC/)
    expect(chooseMachine({ ...x86, accel: 'kvm', kernel: 'k' }).machine).toBe('microvm')
    expect(chooseMachine({ ...x86, machines: ['pc'], kernel: 'k' })).toEqual({
      machine: 'pc',
      reason: 'this QEMU has no microvm machine',
    })
    expect(chooseMachine({ ...x86, kernel: 'k', disk: 'd.img' }).machine).toBe('pc')
    expect(chooseMachine({ ...x86, disk: 'd.img' }).machine).toBe('pc')
    expect(chooseMachine({ ...x86, accel: 'hvf', kernel: 'k' }).reason).toMatch(/hvf/)
    expect(chooseMachine({ ...x86, arch: 'aarch64', kernel: 'k' }).machine).toBe('virt')
  })
})

describe('diskFormatOf / serialLines', () => {
  it('guesses qcow2 from the name, raw otherwise', () => {
    expect(diskFormatOf('/x/Disk.QCOW2')).toBe('qcow2')
    expect(diskFormatOf('/x/disk.img')).toBe('raw')
  })

  it('splits serial output on CRLF and drops escape sequences', () => {
    expect(serialLines('a\r\n\x1b[0;32mb\x1b[0m\r\nc')).toEqual(['a', 'b', 'c'])
    expect(serialLines('a\r\n')).toEqual(['a'])
  })
})
