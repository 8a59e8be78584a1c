import { readFile } from 'node:fs/promises'
import type { CostPart } from '../../../contract/api.ts'
import { processPart } from '../../core/metrics/cost.ts'
import { type CgroupPaths, type CgroupReading, cgroupPaths } from './cgroup.ts'
import type { Endpoint } from './discovery.ts'
import type { HelperProcess } from './host-processes.ts'
import { memoryBytes, type StatsJson } from './stats-math.ts'

/** Whether the engine runs on this host, so its cgroup files and helper processes can be read here. */
export function onThisHost(endpoint: Endpoint): boolean {
  return endpoint.socketPath !== undefined && process.platform === 'linux'
}

/** Where the host keeps the cgroup accounting of a container whose first process is `pid`. */
export async function cgroupOfPid(pid: number): Promise<CgroupPaths | undefined> {
  return cgroupPaths(await readFile(`/proc/${pid}/cgroup`, 'latin1'))
}

/** The cgroup's figures from an engine stats reading, where its files cannot be read. */
export function cgroupFromStats(r: StatsJson): CgroupReading {
  return { memoryBytes: memoryBytes(r), cpuSeconds: (r.cpu_stats?.cpu_usage?.total_usage ?? 0) / 1e9 }
}

/** The cgroup and the helper processes (shim, port proxies) still running, as cost parts. */
export async function containerParts(cgroup: CgroupReading, helpers: HelperProcess[]): Promise<CostPart[]> {
  const parts: CostPart[] = [{ name: 'cgroup', ...cgroup }]
  for (const h of helpers) {
    const part = await processPart(h.pid, h.name)
    if (part) parts.push(part)
  }
  return parts
}
