import type { Workload } from '../world/schema.ts'
import { bootPaths, diskPath } from './images.ts'
import { type K8sObject, labelsOf, mebibytes, metadataOf, probeOf, serviceFor } from './k8s-common.ts'

const RUN_STRATEGY = { always: 'Always', 'on-failure': 'RerunOnFailure', no: 'Once' } as const

/**
 * A VM workload as a KubeVirt VirtualMachine: kernel boot from a containerDisk image holding the
 * kernel and initrd (or a disk containerDisk), its memory and CPUs, pod networking with
 * masquerade (so a Service reaches its ports), and a runStrategy from its restart policy.
 */
export function vmObjects(w: Workload, image: string, notes: string[]): K8sObject[] {
  const vm = w.vm!
  const disks: Record<string, unknown>[] = []
  const volumes: Record<string, unknown>[] = []
  if (vm.disk) {
    disks.push({ name: 'rootdisk', disk: { bus: 'virtio' } })
    volumes.push({ name: 'rootdisk', containerDisk: { image, path: diskPath(vm.disk) } })
  }
  if (vm.cloudInit)
    notes.push(`${w.name}: the cloud-init seed is left out; add a cloudInitNoCloud volume with its user data`)
  const firmware = vm.kernel
    ? {
        kernelBoot: {
          container: {
            image,
            kernelPath: bootPaths.kernel,
            ...(vm.initrd && { initrdPath: bootPaths.initrd }),
            imagePullPolicy: 'IfNotPresent',
          },
          // KubeVirt gives the guest a serial console on ttyS0, as Worldbench does.
          kernelArgs: vm.append ?? 'console=ttyS0',
        },
      }
    : undefined
  const probe = probeOf(w)
  if (w.dependsOn.length)
    notes.push(
      `${w.name}: dependsOn has no VirtualMachine equivalent; the VM boots without waiting for ${w.dependsOn.join(', ')}`,
    )
  if (Object.keys(w.env).length)
    notes.push(`${w.name}: env is left out; a VM reads its settings from cloud-init`)
  const machine: K8sObject = {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: metadataOf(w),
    spec: {
      runStrategy: RUN_STRATEGY[w.restart],
      template: {
        metadata: { labels: labelsOf(w) },
        spec: {
          domain: {
            cpu: { cores: vm.cpus },
            memory: { guest: mebibytes(vm.memoryMiB) },
            ...(firmware && { firmware }),
            devices: { disks, interfaces: [{ name: 'default', masquerade: {} }] },
          },
          networks: [{ name: 'default', pod: {} }],
          ...(volumes.length && { volumes }),
          ...(probe && { readinessProbe: probe }),
        },
      },
    },
  }
  const service = serviceFor(w)
  return [machine, ...(service ? [service] : [])]
}
