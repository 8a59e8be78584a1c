import { readFileSync } from 'node:fs'

/** A container's cgroup read from the host's files: CPU time so far and memory as `docker stats` shows it. */
export interface CgroupReading {
  cpuSeconds: number
  memoryBytes: number
}

/** Where the memory and CPU accounting of a process's cgroup live (v1: per controller; v2: one dir). */
export interface CgroupPaths {
  version: 1 | 2
  memory: string
  cpu: string
}

/** From /proc/<pid>/cgroup: "4:memory:/docker/<id>", "2:cpu,cpuacct:/docker/<id>", or v2's "0::/path". */
export function cgroupPaths(procCgroup: string, root = '/sys/fs/cgroup'): CgroupPaths | undefined {
  let memory: string | undefined
  let cpu: string | undefined
  let unified: string | undefined
  for (const line of procCgroup.split('\n')) {
    const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line.trim()) ?? []
    if (path === undefined || controllers === undefined) continue
    const list = controllers.split(',')
    if (controllers === '') unified = path
    if (list.includes('memory')) memory = `${root}/memory${path}`
    if (list.includes('cpuacct')) cpu = `${root}/cpuacct${path}`
  }
  if (memory && cpu) return { version: 1, memory, cpu }
  if (unified !== undefined) return { version: 2, memory: `${root}${unified}`, cpu: `${root}${unified}` }
  return undefined
}

function statField(text: string, key: string): number | undefined {
  const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(text)
  return m ? Number(m[1]) : undefined
}

/** Usage minus inactive file cache (which the kernel can drop at once), the way `docker stats` counts. */
export function readCgroup(p: CgroupPaths): CgroupReading {
  const read = (f: string) => readFileSync(f, 'latin1')
  if (p.version === 1) {
    const usage = Number(read(`${p.memory}/memory.usage_in_bytes`))
    const inactive = statField(read(`${p.memory}/memory.stat`), 'total_inactive_file') ?? 0
    return {
      cpuSeconds: Number(read(`${p.cpu}/cpuacct.usage`)) / 1e9,
      memoryBytes: inactive < usage ? usage - inactive : usage,
    }
  }
  const usage = Number(read(`${p.memory}/memory.current`))
  const inactive = statField(read(`${p.memory}/memory.stat`), 'inactive_file') ?? 0
  return {
    cpuSeconds: (statField(read(`${p.cpu}/cpu.stat`), 'usage_usec') ?? 0) / 1e6,
    memoryBytes: inactive < usage ? usage - inactive : usage,
  }
}
