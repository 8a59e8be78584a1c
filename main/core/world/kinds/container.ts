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
  network: Name.optional().describe(
    'Containers of a world naming the same network share it and reach each other by workload name',
  ),
  init: z.boolean().default(true).describe('Run an init process so the workload gets signals'),
})

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
  // The Dockerfile stays relative: it is a path inside the build context.
  resolvePaths: (c, abs) => ({
    ...c,
    build: c.build === undefined ? undefined : abs(c.build),
    volumes: c.volumes?.map((v) =>
      v.type === 'bind' && v.source !== undefined ? { ...v, source: abs(v.source) } : v,
    ),
  }),
}
