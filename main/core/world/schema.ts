import { isIP } from 'node:net'
import { z } from 'zod'
import { KINDS, type Kind as KindName } from '../../../contract/kinds.ts'
import { DAY_SECONDS, MAX_MEMORY_MIB, Name, Path, Text } from './fields.ts'
import { WorldNetwork, type WorldNetworkSettings } from './kinds/container.ts'
import { FORMATS, type Formats, formatOf } from './kinds/index.ts'

/**
 * The one schema of a world file. The JSON Schema for editors is generated from it. Every number
 * has bounds the engines accept and every string a length: a wrong value is refused here, with
 * its line and column, instead of failing later inside Docker, QEMU or the Wasm host.
 */

export const Kind = z.enum(KINDS)

const Port = z.strictObject({
  host: z.number().int().min(0).max(65535).default(0).describe('Port on the host; 0 picks any free port'),
  guest: z.number().int().min(1).max(65535).describe('Port the workload listens on'),
  bind: z
    .string()
    .max(45)
    .refine((v) => isIP(v) !== 0, 'must be an IP address such as 127.0.0.1 or ::1')
    .default('127.0.0.1')
    .describe('Host address (an IP literal) to publish on'),
})

const Limits = z.strictObject({
  memoryMiB: z.number().int().min(1).max(MAX_MEMORY_MIB).optional(),
  cpus: z.number().min(0.01).max(1024).optional(),
  timeoutSeconds: z
    .number()
    .positive()
    .max(DAY_SECONDS)
    .optional()
    .describe('Wall-clock limit per run or request (wasm)'),
})

const Ready = z.strictObject({
  http: z
    .string()
    .max(2048)
    .regex(/^\/[\x21-\x7e]*$/, 'must be a URL path starting with "/", without spaces or control characters')
    .optional()
    .describe('Path that must answer 2xx/3xx on the first port'),
  tcp: z.boolean().optional().describe('Ready when the first port accepts a connection'),
  log: Text(1024).optional().describe('Ready when a log line contains this text'),
  command: z
    .array(Text())
    .min(1)
    .max(1000)
    .optional()
    .describe('Container only: ready when this command, run inside the container, exits 0 (a health check)'),
  intervalSeconds: z
    .number()
    .positive()
    .max(DAY_SECONDS)
    .optional()
    .describe('How often the command runs (default 2)'),
  timeoutSeconds: z.number().positive().max(DAY_SECONDS).default(60),
})

/** POSIX-ish: a name with no "=" (it ends the name), no NUL and no line break; at most 256 chars. */
const EnvKey = z
  .string()
  .min(1, 'an environment variable name must not be empty')
  .max(256)
  .regex(/^[^=\0\r\n]+$/, 'an environment variable name must not contain "=", a NUL or a line break')

/** Each kind's section (container:, vm:, wasm:), from its format in kinds/. */
const sections = Object.fromEntries(
  (Object.keys(FORMATS) as KindName[]).map((k) => [k, FORMATS[k].section.optional()]),
) as {
  [K in keyof Formats]: z.ZodOptional<Formats[K]['section']>
}

const COMMAND_READY_KINDS = KINDS.filter((k) => formatOf(k).readyCommand).join(' or ')

export const WorkloadSchema = z
  .strictObject({
    name: Name,
    kind: Kind,
    description: z.string().max(10_000).optional(),
    ...sections,
    ports: z.array(Port).max(100).default([]),
    env: z.record(EnvKey, Text(32_768)).default({}),
    args: z.array(Text()).max(1000).default([]),
    limits: Limits.default({}),
    ready: Ready.optional(),
    restart: z.enum(['no', 'on-failure', 'always']).default('no'),
    run: z
      .enum(['service', 'once'])
      .optional()
      .describe(
        'service (the default): runs until stopped; once: a step that runs to completion (a migration), and what depends on it starts after it exits with code 0',
      ),
    prepare: Path.optional().describe(
      'Script (relative to the world file) run before the artifact is prepared; must be quick when up to date',
    ),
    dependsOn: z.array(Name).max(100).default([]),
  })
  .superRefine((w, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message })
    if (!w[w.kind]) issue([w.kind], `a ${w.kind} workload needs a "${w.kind}" section`)
    for (const other of KINDS)
      if (other !== w.kind && w[other])
        issue([other], `a ${w.kind} workload cannot have a "${other}" section`)
    const format = formatOf(w.kind)
    if (w.ready?.command && !format.readyCommand)
      issue(['ready', 'command'], `only a ${COMMAND_READY_KINDS} workload can have a command readiness probe`)
    const section = w[w.kind]
    if (section) format.check?.(section, w.limits, issue)
  })

export const WorldSchema = z.strictObject({
  apiVersion: z.literal('worldbench/v1'),
  name: Name,
  description: z.string().max(10_000).optional(),
  networks: z
    .record(Name, WorldNetwork)
    .optional()
    .describe(
      "Settings of the world's container networks, by the name containers join them by; a network named here must be joined by a container",
    ),
  workloads: z.array(WorkloadSchema).min(1).max(100),
})

export type Kind = KindName
export type WorkloadInput = z.infer<typeof WorkloadSchema>
export type WorldInput = z.infer<typeof WorldSchema>

/**
 * A workload as the runtimes see it: validated, with every path absolute, and its world named; a
 * container also carries the settings of the world's networks (see networksOf).
 */
export type Workload = WorkloadInput & {
  world: string
  worldNetworks?: Readonly<Record<string, WorldNetworkSettings>>
}

export interface World {
  name: string
  description?: string
  networks?: Record<string, WorldNetworkSettings>
  file: string
  dir: string
  workloads: Workload[]
}
