import { readdir, readFile } from 'node:fs/promises'
import { arch, cpus, loadavg, release, totalmem, type } from 'node:os'
import type { BenchEnvironment, EngineStatus } from '../../../contract/api.ts'

/** What the numbers depend on, recorded with them: host, load, power, engines, accelerator. */
export async function benchEnvironment(engines: EngineStatus[]): Promise<BenchEnvironment> {
  const vm = engines.find((e) => e.kind === 'vm')
  const accel = vm?.details.accelerator ?? vm?.details.accelerators
  const warnings: string[] = []
  if (vm?.available && accel && !/kvm|hvf|whpx/.test(accel)) {
    warnings.push(
      'VMs run under TCG software emulation here: their numbers are 10–50× worse than with a hardware accelerator, and say nothing about VMs on a machine with KVM/HVF/WHPX.',
    )
  }
  const load = loadavg() as [number, number, number]
  if (load[0] > cpus().length * 0.5)
    warnings.push(
      `The host was busy when the bench started (load ${load[0].toFixed(2)} on ${cpus().length} cores): numbers may be noisy.`,
    )
  const power = await powerSource()
  if (power === 'battery') warnings.push('Running on battery: CPU frequency may be throttled.')
  return {
    host: {
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      cores: cpus().length,
      memoryBytes: totalmem(),
      os: `${type()} ${release()}`,
      arch: arch(),
    },
    loadAtStart: load,
    power,
    engines: engines.map((e) => ({
      kind: e.kind,
      engine: e.engine ?? 'not available',
      ...(e.version !== undefined && { version: e.version }),
      details: e.details,
    })),
    ...(accel !== undefined && { vmAccelerator: accel }),
    wasmEngine: `V8 ${process.versions.v8} (Node ${process.versions.node} WASI preview1; jco for components)`,
    warnings,
    node: process.versions.node,
    startedAt: new Date().toISOString(),
  }
}

async function powerSource(): Promise<string> {
  if (process.platform !== 'linux') return 'unknown'
  try {
    const dir = '/sys/class/power_supply'
    for (const name of await readdir(dir)) {
      const kind = (await readFile(`${dir}/${name}/type`, 'utf8').catch(() => '')).trim()
      if (kind === 'Mains')
        return (await readFile(`${dir}/${name}/online`, 'utf8')).trim() === '1' ? 'mains' : 'battery'
    }
    return 'mains (no battery found)'
  } catch {
    return 'unknown'
  }
}
