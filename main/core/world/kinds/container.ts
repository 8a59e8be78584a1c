import { z } from 'zod'
import { Name, Path, Text } from '../fields.ts'
import { isImageReference } from '../image-ref.ts'
import type { FieldPath, KindFormat } from './kind-format.ts'

const Volume = z.strictObject({
  type: z.enum(['bind', 'volume']).describe('bind: a host folder; volume: a named volume the engine keeps'),
  source: z
    .string()
    .min(1)
    .optional()
    .describe('bind: host path, relative to the world file; volume: its name (none: an anonymous volume)'),
  target: z.string().startsWith('/').describe('Path inside the container'),
  readOnly: z.boolean().default(false),
})

/** A DNS name another container may use for this one on a network. */
const Alias = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,252}$/, 'must be a host name: letters, digits, ".", "-" and "_"')

const NetworkRef = z.union([
  Name,
  z.strictObject({
    name: Name,
    aliases: z.array(Alias).max(32).optional().describe('More names it answers to on this network'),
  }),
])

const Container = z.strictObject({
  image: z
    .string()
    .min(1)
    .max(512)
    .refine(
      isImageReference,
      'is not an image reference like "busybox", "worldbench/hello:1" or "host:5000/a/b@sha256:…"',
    ),
  build: Path.optional().describe('Build context folder, relative to the world file'),
  dockerfile: Path.optional().describe('Dockerfile path inside the build context'),
  buildArgs: z.record(z.string(), Text()).optional().describe('Build-time variables (ARG)'),
  entrypoint: z.array(Text()).max(1000).optional().describe("Replaces the image's entrypoint"),
  command: z.array(Text()).max(1000).optional(),
  volumes: z.array(Volume).max(64).optional(),
  networks: z
    .array(NetworkRef)
    .min(1)
    .max(16)
    .optional()
    .describe(
      'Networks of the world this container joins: it reaches the containers that share one of them, by workload name and aliases, and no others',
    ),
  network: Name.optional().describe(
    'One network: the same as networks: [name] (the older spelling, still read)',
  ),
  init: z.boolean().default(true).describe('Run an init process so the workload gets signals'),
})

/** A network of the world, declared under the world's top-level `networks` to give it settings. */
export const WorldNetwork = z.strictObject({
  internal: z
    .boolean()
    .default(false)
    .describe(
      'No route out of the world: its containers reach each other and nothing else (the engine publishes no port of a container on internal networks only)',
    ),
})
export type WorldNetworkSettings = z.output<typeof WorldNetwork>

type ContainerSection = z.output<typeof Container>
export interface NetworkJoin {
  name: string
  aliases: string[]
  /** Set under the world's `networks`; false for a network the world does not declare. */
  internal: boolean
}

/**
 * The networks a container joins, in order (the first is the one it is created on), with the
 * settings the world gives each.
 */
export function networksOf(
  c: Pick<ContainerSection, 'network' | 'networks'> | undefined,
  declared: Readonly<Record<string, WorldNetworkSettings>> = {},
): NetworkJoin[] {
  if (!c) return []
  const refs = c.networks ?? (c.network ? [c.network] : [])
  return refs.map((r) => {
    const { name, aliases = [] } = typeof r === 'string' ? { name: r } : r
    return { name, aliases, internal: Object.hasOwn(declared, name) && declared[name]!.internal }
  })
}

export const containerFormat: KindFormat<typeof Container> = {
  kind: 'container',
  section: Container,
  readyTimeoutSeconds: 60,
  readyCommand: true,
  paths: (c) => {
    const out: [FieldPath, string][] = []
    if (c.build !== undefined) out.push([['build'], c.build])
    if (c.dockerfile !== undefined) out.push([['dockerfile'], c.dockerfile])
    return out
  },
  check: (c, _limits, issue) => {
    if (c.network !== undefined && c.networks !== undefined)
      issue(
        ['container', 'network'],
        'say the networks once: move this name into "networks" and remove "network"',
      )
    const seen = new Set<string>()
    for (const [i, n] of networksOf(c).entries()) {
      if (seen.has(n.name)) issue(['container', 'networks', i], `network "${n.name}" is named twice`)
      seen.add(n.name)
    }
  },
  // The Dockerfile stays relative: it is a path inside the build context.
  resolvePaths: (c, abs) => ({
    ...c,
    build: c.build === undefined ? undefined : abs(c.build),
    volumes: c.volumes?.map((v) =>
      v.type === 'bind' && v.source !== undefined ? { ...v, source: abs(v.source) } : v,
    ),
  }),
}
