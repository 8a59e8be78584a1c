import { networksOf } from './kinds/container.ts'
import type { WorldInput } from './schema.ts'

type Issue = (path: (string | number)[], message: string) => void

/**
 * A network named under the world's `networks` that no container joins is most likely a typo, and
 * its settings (internal) would then silently apply to nothing; a container on internal networks
 * only gets none of its ports published by the engine, so it would never answer.
 */
export function networkIssues(world: WorldInput, issue: Issue): void {
  const declared = world.networks ?? {}
  const joined = new Set(world.workloads.flatMap((w) => networksOf(w.container).map((n) => n.name)))
  for (const name of Object.keys(declared))
    if (!joined.has(name))
      issue(
        ['networks', name],
        `no container joins network "${name}"; add it to a container's "networks", or remove it here`,
      )
  world.workloads.forEach((w, i) => {
    const nets = networksOf(w.container, declared)
    if (w.ports.length && nets.length && nets.every((n) => n.internal))
      issue(
        ['workloads', i, 'ports'],
        `"${w.name}" is on internal networks only (${nets.map((n) => n.name).join(', ')}), where the engine publishes no port; also join a network that is not internal, or remove "ports"`,
      )
  })
}
