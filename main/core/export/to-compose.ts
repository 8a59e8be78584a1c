import { WorldbenchError } from '../errors.ts'
import { networksOf } from '../world/kinds/container.ts'
import { resolveRefs } from '../world/refs.ts'
import type { Workload, World } from '../world/schema.ts'
import { relativeTo } from './relative.ts'

type Obj = Record<string, unknown>

/**
 * A world whose workloads are all containers, as a Compose file written in `dir`. Another
 * service's URL (${workloads.NAME.url}) becomes its Compose DNS name and port. What Compose cannot
 * say (a readiness probe other than a command, a prepare script) is kept under x-worldbench or noted.
 */
export function worldToCompose(world: World, dir: string): { compose: Obj; notes: string[] } {
  const others = world.workloads.filter((w) => w.kind !== 'container')
  if (others.length)
    throw new WorldbenchError(
      'EXPORT_NOT_CONTAINERS',
      `World "${world.name}" has workloads Compose cannot run: ${others.map((w) => `${w.name} (${w.kind})`).join(', ')}.`,
      'Export it with "--to kubernetes", which handles VMs and Wasm too.',
    )
  const notes: string[] = []
  const services: Obj = {}
  const volumes: Obj = {}
  const networks: Obj = {}
  for (const w of world.workloads) {
    services[w.name] = service(world, w, dir, volumes)
    for (const n of networksOf(w.container, world.networks))
      if (n.name !== 'default' || n.internal) networks[n.name] = n.internal ? { internal: true } : {}
    if (w.prepare)
      notes.push(
        `${w.name}: the prepare script ${w.prepare} has no Compose equivalent; run it before "docker compose up"`,
      )
  }
  return {
    compose: {
      name: world.name,
      ...(world.description && { 'x-worldbench': { description: world.description } }),
      services,
      ...(Object.keys(volumes).length && { volumes }),
      ...(Object.keys(networks).length && { networks }),
    },
    notes,
  }
}

function service(world: World, w: Workload, dir: string, volumes: Obj): Obj {
  const c = w.container!
  const s: Obj = { image: c.image }
  if (c.build) {
    const build: Obj = { context: relativeTo(dir, c.build) }
    if (c.dockerfile) build.dockerfile = c.dockerfile
    if (c.buildArgs) build.args = c.buildArgs
    s.build = build
  }
  if (c.entrypoint) s.entrypoint = c.entrypoint
  const command = [...(c.command ?? []), ...w.args]
  if (command.length) s.command = command
  s.init = c.init
  const env = Object.entries(w.env)
  if (env.length)
    s.environment = Object.fromEntries(
      env.map(([k, v]) => [k, dollarsEscaped(resolveRefs(v, w.name, (n) => composeUrl(world, n)))]),
    )
  if (w.ports.length)
    s.ports = w.ports.map(
      (p) => `${p.bind.includes(':') ? `[${p.bind}]` : p.bind}:${p.host || ''}:${p.guest}`,
    )
  const mounts = (c.volumes ?? []).map((v) => {
    const ro = v.readOnly ? ':ro' : ''
    if (v.type === 'bind') return `${relativeTo(dir, v.source!)}:${v.target}${ro}`
    if (v.source === undefined) return v.target
    volumes[v.source] = {}
    return `${v.source}:${v.target}${ro}`
  })
  if (mounts.length) s.volumes = mounts
  if (w.limits.memoryMiB) s.mem_limit = `${w.limits.memoryMiB}m`
  if (w.limits.cpus) s.cpus = w.limits.cpus
  if (w.ready?.command) {
    s.healthcheck = {
      test: ['CMD', ...w.ready.command],
      ...(w.ready.intervalSeconds !== undefined && { interval: `${w.ready.intervalSeconds}s` }),
    }
  } else if (w.ready) s['x-worldbench'] = { ready: w.ready }
  const nets = serviceNetworks(w)
  if (nets) s.networks = nets
  if (w.restart !== 'no') s.restart = w.restart
  if (w.dependsOn.length)
    s.depends_on = Object.fromEntries(
      w.dependsOn.map((d) => {
        const dep = world.workloads.find((x) => x.name === d)
        const condition =
          dep?.run === 'once'
            ? 'service_completed_successfully'
            : dep?.ready?.command
              ? 'service_healthy'
              : 'service_started'
        return [d, { condition }]
      }),
    )
  return s
}

/**
 * A service's networks as Compose says them: none for "default" alone (Compose's own default), a
 * list of names, or a mapping when a network gives it aliases.
 */
function serviceNetworks(w: Workload): string[] | Obj | undefined {
  const nets = networksOf(w.container)
  if (nets.length === 0 || (nets.length === 1 && nets[0]!.name === 'default' && !nets[0]!.aliases.length))
    return undefined
  if (nets.every((n) => !n.aliases.length)) return nets.map((n) => n.name)
  return Object.fromEntries(nets.map((n) => [n.name, n.aliases.length ? { aliases: n.aliases } : {}]))
}

/** Between Compose services, another service is reached by its name on the project network. */
function composeUrl(world: World, name: string): string | undefined {
  const port = world.workloads.find((w) => w.name === name)?.ports[0]?.guest
  return port === undefined ? undefined : `http://${name}:${port}`
}

/** Compose would read a "$" in a value as a variable; "$$" keeps it literal. */
const dollarsEscaped = (v: string) => v.replace(/\$/g, '$$$$')
