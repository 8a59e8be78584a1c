import type { Sample } from '../../../contract/api.ts'

/** The parts of one Docker /stats reading we use (Podman's compat API sends the same shape). */
export interface StatsJson {
  read?: string
  cpu_stats?: CpuStats
  precpu_stats?: CpuStats
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> }
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>
}

interface CpuStats {
  cpu_usage?: { total_usage?: number; percpu_usage?: number[] }
  system_cpu_usage?: number
  online_cpus?: number
}

/** CPU % the way `docker stats` computes it: container delta over system delta, times CPUs. */
export function cpuPercent(s: StatsJson): number {
  const cur = s.cpu_stats
  const pre = s.precpu_stats
  if (!cur || !pre) return 0
  const cpuDelta = (cur.cpu_usage?.total_usage ?? 0) - (pre.cpu_usage?.total_usage ?? 0)
  const systemDelta = (cur.system_cpu_usage ?? 0) - (pre.system_cpu_usage ?? 0)
  // The first reading has no previous one: precpu is all zeros, so there is no delta to show.
  if (!pre.system_cpu_usage || cpuDelta <= 0 || systemDelta <= 0) return 0
  const cpus = cur.online_cpus || cur.cpu_usage?.percpu_usage?.length || 1
  return (cpuDelta / systemDelta) * cpus * 100
}

/**
 * Memory the way `docker stats` shows it: usage minus the inactive file cache, which the kernel
 * can drop at once. cgroup v1 names it total_inactive_file, v2 inactive_file.
 */
export function memoryBytes(s: StatsJson): number {
  const m = s.memory_stats
  if (!m?.usage) return 0
  const st = m.stats ?? {}
  const inactive = st.total_inactive_file !== undefined ? st.total_inactive_file : st.inactive_file
  if (inactive !== undefined && inactive < m.usage) return m.usage - inactive
  return m.usage
}

export function netBytes(s: StatsJson): { rx: number; tx: number } {
  let rx = 0
  let tx = 0
  for (const n of Object.values(s.networks ?? {})) {
    rx += n.rx_bytes ?? 0
    tx += n.tx_bytes ?? 0
  }
  return { rx, tx }
}

export function toSample(s: StatsJson, limitBytes?: number): Sample {
  const t = s.read ? Date.parse(s.read) : Date.now()
  const net = netBytes(s)
  const sample: Sample = {
    t: Number.isFinite(t) && t > 0 ? t : Date.now(),
    cpuPercent: cpuPercent(s),
    memoryBytes: memoryBytes(s),
    netRxBytes: net.rx,
    netTxBytes: net.tx,
  }
  if (limitBytes) sample.guestMemoryBytes = limitBytes
  return sample
}
