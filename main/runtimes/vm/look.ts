import { stateSubdir } from '../../core/paths.ts'
import { qemuCost, runningVms } from './found.ts'

/** `ps` with no service: VMs whose QEMU runs, from their folders, and what each costs (no QMP, no runtime). */
export const vmLook = {
  kind: 'vm' as const,
  observe: () => runningVms(stateSubdir('vms')),
  cost: qemuCost,
}
