import type { InstanceInfo, WorldSummary } from '../../contract/api.ts'

/**
 * A stable order for instance lists: worlds in the order the Worlds page lists them, workloads in
 * the order their world file lists them; a restart (a new id) keeps its row where it was.
 * External containers come last; what no world file names goes by name.
 */
export function orderInstances(instances: InstanceInfo[], worlds: WorldSummary[]): InstanceInfo[] {
  const worldRank = new Map(worlds.map((w, n) => [w.name, n]))
  const workloadRank = new Map(worlds.map((w) => [w.name, new Map(w.workloadNames.map((x, n) => [x, n]))]))
  const rank = (i: InstanceInfo): [number, string, number, string, number] => [
    i.external ? 2 : worldRank.has(i.world) ? 0 : 1,
    i.external ? '' : worldRank.has(i.world) ? String(worldRank.get(i.world)).padStart(6, '0') : i.world,
    workloadRank.get(i.world)?.get(i.workload) ?? Number.MAX_SAFE_INTEGER,
    i.workload,
    i.startedAt,
  ]
  return [...instances].sort((a, b) => {
    const x = rank(a)
    const y = rank(b)
    for (let n = 0; n < x.length; n++) {
      if (x[n]! < y[n]!) return -1
      if (x[n]! > y[n]!) return 1
    }
    return 0
  })
}
