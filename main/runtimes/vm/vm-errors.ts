import { WorldbenchError } from '../../core/errors.ts'
import { instanceGone } from '../../core/instance-gone.ts'
import { portInUse } from '../../core/ports.ts'
import type { Instance } from '../../core/runtime.ts'
import { QEMU_INSTALL } from './qemu-discovery.ts'

export function qemuMissing(binary?: string): WorldbenchError {
  const where = binary
    ? `${binary} does not exist`
    : 'No qemu-system binary was found on PATH or in the usual install folders'
  return new WorldbenchError(
    'QEMU_MISSING',
    `${where}, so VM workloads cannot run.`,
    `Install QEMU. Linux: ${QEMU_INSTALL.linux}. macOS: ${QEMU_INSTALL.macos}. Windows: ${QEMU_INSTALL.windows}.`,
    { install: QEMU_INSTALL },
  )
}

export function vmFileMissing(
  workload: string,
  role: string,
  path: string,
  canBuild: boolean,
): WorldbenchError {
  return new WorldbenchError(
    'VM_FILE_MISSING',
    `The ${role} of ${workload} does not exist: ${path}`,
    canBuild
      ? 'Its build script ran but did not produce it; check the script output.'
      : `Fix the vm.${role} path, or add a vm.build script that creates it (for the sample: bash scripts/build-vm-image.sh).`,
    { path, role },
  )
}

export function accelUnavailable(
  workload: string,
  accel: string,
  working: string[],
  why?: string,
): WorldbenchError {
  return new WorldbenchError(
    'VM_ACCEL_UNAVAILABLE',
    `${workload} asks for the ${accel} accelerator, which does not work on this machine${why ? ` (${why})` : ''}.`,
    `Use vm.accel: auto (picks the best that works) or one of: ${working.join(', ')}.`,
    { requested: accel, working },
  )
}

/** QEMU quit during start-up: its stderr says why. */
export function earlyExit(
  workload: string,
  stderr: string,
  code: number | null,
  signal: string | null,
  ports: { host: number; bind: string }[],
): WorldbenchError {
  const text = stderr.trim()
  if (/Could not set up host forwarding rule/.test(text)) {
    const m = /hostfwd=tcp:([^:]+):(\d+)/.exec(text)
    const port = ports.find((p) => m && p.host === Number(m[2])) ?? ports[0]
    if (port) return portInUse(port.host, port.bind, workload)
  }
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`
  return new WorldbenchError(
    'VM_EARLY_EXIT',
    `QEMU ${how} while starting ${workload}${text ? `: ${lastLines(text, 5)}` : ''}`,
    'Read the QEMU message above: a corrupt or wrong-architecture kernel, too much memory, or a bad disk image are the usual causes.',
    { stderr: lastLines(text, 40), code, signal },
  )
}

function lastLines(text: string, n: number): string {
  return text
    .split('\n')
    .filter((l) => !/warning: host doesn't support requested feature/.test(l))
    .slice(-n)
    .join('\n')
}

/** The VM's QEMU process is no longer running (see the vanished-instance rule in the Runtime port). */
export function qemuGone(i: Instance): WorldbenchError {
  return instanceGone(
    i,
    'its QEMU process is not running',
    'The VM exited or was killed; see its serial log.',
  )
}
