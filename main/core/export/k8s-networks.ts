import { networksOf } from '../world/kinds/container.ts'
import type { World } from '../world/schema.ts'

/**
 * A cluster puts every pod of a namespace on one network and every Service is reachable by name
 * from all of them, so a world's separation is written down as notes, not as NetworkPolicies: whether
 * a policy is enforced depends on the cluster's network plugin, and no cluster runs here to check one.
 */
export function networkNotes(world: World): string[] {
  const joins = world.workloads.map((w) => ({ w: w.name, nets: networksOf(w.container, world.networks) }))
  const names = new Set(joins.flatMap((j) => j.nets.map((n) => n.name)))
  const notes: string[] = []
  const placed = joins
    .filter((j) => j.nets.length)
    .map((j) => `${j.w} on ${j.nets.map((n) => n.name).join('+')}`)
  if (names.size > 1)
    notes.push(
      `networks ${[...names].join(', ')}: in a cluster every pod reaches every Service of the namespace; to keep the separation (${placed.join(', ')}) add NetworkPolicies, which only a network plugin that enforces them (Calico or Cilium, for example) applies`,
    )
  const internal = [...new Set(joins.flatMap((j) => j.nets.filter((n) => n.internal).map((n) => n.name)))]
  const inside = joins.filter((j) => j.nets.length && j.nets.every((n) => n.internal)).map((j) => j.w)
  if (internal.length)
    notes.push(
      `internal network${internal.length > 1 ? 's' : ''} ${internal.join(', ')}: a pod has a route out of the cluster unless an egress NetworkPolicy denies it; add one for ${inside.join(', ') || 'the pods only on them'}`,
    )
  for (const j of joins)
    for (const n of j.nets)
      if (n.aliases.length)
        notes.push(
          `${j.w}: aliases ${n.aliases.join(', ')} on network ${n.name} have no Service; add a Service of that name selecting it if something calls it so`,
        )
  return notes
}
