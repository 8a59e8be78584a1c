import { z } from 'zod'
import { MAX_MEMORY_MIB, Path, Text } from '../fields.ts'
import type { FieldPath, KindFormat } from './kind-format.ts'

/** QEMU's x86 machines take at most 255 vCPUs (288 with x2apic). */
const MAX_VCPUS = 255

const Vm = z.strictObject({
  kernel: Path.optional(),
  initrd: Path.optional(),
  append: Text().optional(),
  disk: Path.optional(),
  diskFormat: z.enum(['raw', 'qcow2']).optional(),
  cloudInit: Path.optional().describe('A cloud-init seed image or folder'),
  build: Path.optional().describe('Script that builds the VM image when its files are missing'),
  memoryMiB: z.number().int().min(16).max(MAX_MEMORY_MIB).default(128),
  cpus: z.number().int().min(1).max(MAX_VCPUS).default(1),
  accel: z.enum(['auto', 'kvm', 'hvf', 'whpx', 'tcg']).default('auto'),
})

const FILES = ['kernel', 'initrd', 'disk', 'cloudInit', 'build'] as const

export const vmFormat: KindFormat<typeof Vm> = {
  kind: 'vm',
  section: Vm,
  // A VM boots a kernel before anything listens: under software emulation that takes a while.
  readyTimeoutSeconds: 180,
  readyCommand: false,
  paths: (vm) => FILES.flatMap((f): [FieldPath, string][] => (vm[f] === undefined ? [] : [[[f], vm[f]]])),
  resolvePaths: (vm, abs) => ({
    ...vm,
    ...Object.fromEntries(FILES.map((f) => [f, vm[f] === undefined ? undefined : abs(vm[f])])),
  }),
  check: (vm, _limits, issue) => {
    if (!vm.kernel && !vm.disk) issue(['vm'], 'a vm needs a kernel (with an initrd) or a disk')
  },
}
