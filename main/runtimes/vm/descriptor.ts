import { z } from 'zod'
import type { RuntimeDescriptor } from '../../core/runtime-descriptor.ts'
import { vmFormat } from '../../core/world/kinds/vm.ts'
import { VmRuntime } from './index.ts'

const Settings = z.strictObject({
  qemuBinary: z.string().max(4096).optional(),
})

export const vmDescriptor: RuntimeDescriptor<typeof Settings> = {
  kind: 'vm',
  format: vmFormat,
  settings: Settings,
  display: {
    label: 'VM',
    plural: 'VMs',
    notMeasured: { network: 'QEMU user-mode networking keeps no per-guest byte counters.' },
    settings: {
      qemuBinary: {
        label: 'QEMU binary',
        control: 'engine-path',
        placeholder: 'qemu-system-<arch> on PATH',
        help: 'The qemu-system program to run VMs with, chosen in the desktop app (Choose…). Empty: the one for this machine’s architecture on PATH.',
      },
    },
  },
  create: (s) => new VmRuntime(s.qemuBinary ? { qemuBinary: s.qemuBinary } : {}),
}
