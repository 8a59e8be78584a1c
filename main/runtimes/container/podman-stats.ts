import { readFileSync } from 'node:fs'
import type Docker from 'dockerode'
import type { StatsJson } from './stats-math.ts'
import { StatsStream } from './stats-stream.ts'

/** One reading of Podman's own /libpod/containers/stats stream (the fields we use). */
interface LibpodStats {
  CPUNano?: number
  SystemNano?: number
  MemUsage?: number
  MemLimit?: number
  NetInput?: number
  NetOutput?: number
}

/**
 * Podman's Docker-compatible /stats streams a reading only every 5 s (a fixed period in
 * Podman 4) and leaves memory_stats.stats empty, so neither 1 Hz samples nor "usage minus
 * inactive file" work through it. Podman's own endpoint takes an interval; we map its readings
 * onto Docker's shape and read the inactive file cache from the container's cgroup ourselves.
 */
export async function openPodmanStats(docker: Docker, containerId: string): Promise<StatsStream> {
  // Only Podman's own inspect names the cgroup; the Docker-shaped one does not.
  const info = await libpod<{ State?: { CgroupPath?: string } }>(
    docker,
    `/containers/${containerId}/json?`,
    {},
    false,
  )
  const inactive = inactiveFileReader(info.State?.CgroupPath)
  const stream = await libpod<NodeJS.ReadableStream>(
    docker,
    '/containers/stats?',
    { containers: [containerId], stream: true, interval: 1 },
    true,
  )
  let previous: StatsJson['cpu_stats']
  return StatsStream.attach(stream, (line) => {
    const reply = JSON.parse(line) as { Stats?: LibpodStats[] }
    const p = reply.Stats?.[0]
    if (!p) return undefined
    const s = fromLibpod(p, previous, inactive())
    previous = s.cpu_stats
    return s
  })
}

/** A call to Podman's own API (the /v4.0.0 prefix is accepted by Podman 4 and 5). */
function libpod<T>(docker: Docker, path: string, options: object, isStream: boolean): Promise<T> {
  return new Promise<T>((resolve, reject) =>
    docker.modem.dial(
      {
        path: `/v4.0.0/libpod${path}`,
        method: 'GET',
        isStream,
        statusCodes: { 200: true, 404: 'no such container', 500: 'server error' },
        options,
      },
      (err: unknown, data: unknown) => (err ? reject(err) : resolve(data as T)),
    ),
  )
}

/**
 * Podman's numbers in Docker's shape. CPU: container CPU time over wall time, both in ns, on
 * one "CPU", which is `docker stats`' scale (100% = one core busy).
 */
export function fromLibpod(
  p: LibpodStats,
  previous: StatsJson['cpu_stats'],
  inactiveFile: number | undefined,
): StatsJson {
  const cpu = {
    cpu_usage: { total_usage: p.CPUNano ?? 0 },
    system_cpu_usage: p.SystemNano ?? 0,
    online_cpus: 1,
  }
  const s: StatsJson = {
    read: new Date(p.SystemNano ? p.SystemNano / 1e6 : Date.now()).toISOString(),
    cpu_stats: cpu,
    precpu_stats: previous ?? {},
    memory_stats: { usage: p.MemUsage ?? 0, limit: p.MemLimit ?? 0 },
    networks: { network: { rx_bytes: p.NetInput ?? 0, tx_bytes: p.NetOutput ?? 0 } },
  }
  if (inactiveFile !== undefined) s.memory_stats!.stats = { inactive_file: inactiveFile }
  return s
}

/**
 * The container's inactive file cache from its memory cgroup on this machine (cgroup v2, or v1's
 * memory controller). Undefined when the engine is not local (a Podman machine VM), which leaves
 * memory as Podman reports it.
 */
export function inactiveFileReader(cgroupPath: string | undefined): () => number | undefined {
  if (!cgroupPath?.startsWith('/')) return () => undefined
  const files = [
    { file: `/sys/fs/cgroup${cgroupPath}/memory.stat`, key: 'inactive_file' },
    { file: `/sys/fs/cgroup/memory${cgroupPath}/memory.stat`, key: 'total_inactive_file' },
  ]
  return () => {
    for (const { file, key } of files) {
      let text: string
      try {
        text = readFileSync(file, 'utf8')
      } catch {
        continue
      }
      const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(text)
      if (m) return Number(m[1])
    }
    return undefined
  }
}
