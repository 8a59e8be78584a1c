import { isIP } from 'node:net'
import { z } from 'zod'
import { KINDS, type Kind as KindName } from '../../../contract/kinds.ts'
import { isImageReference } from './image-ref.ts'
import { isOriginOrRef } from './origin.ts'

/**
 * The one schema of a world file. The JSON Schema for editors is generated from it. Every number
 * has bounds the engines accept and every string a length: a wrong value is refused here, with
 * its line and column, instead of failing later inside Docker, QEMU or the Wasm host.
 */

/** Text that reaches argv, an environment or a file system: no NUL (spawn refuses it). */
const Text = (max = 4096) =>
  z
    .string()
    .max(max)
    .refine((v) => !v.includes('\0'), 'must not contain a NUL character')
const Path = Text(4096)
/** A Wasm guest's linear memory is 32-bit: at most 65,536 pages of 64 KiB. */
export const WASM_MAX_MEMORY_MIB = 4096
/** 1 TiB: beyond any machine this runs on, far below what overflows QEMU's or Docker's sizes. */
const MAX_MEMORY_MIB = 1024 * 1024
/** QEMU's x86 machines take at most 255 vCPUs (288 with x2apic); Docker takes any host count. */
const MAX_VCPUS = 255
const DAY_SECONDS = 24 * 60 * 60

export const Kind = z.enum(KINDS)

const Name = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes, starting with a letter or digit')

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

const Vm = z.strictObject({
  kernel: Path.optional(),
  initrd: Path.optional(),
  append: Text().optional(),
  disk: Path.optional(),
  diskFormat: z.enum(['raw', 'qcow2']).optional(),
  cloudInit: Path.optional().describe('A cloud-init seed image or folder'),
  build: Path.optional().describe('Script that builds the VM image when its files are missing'),
  memoryMiB: z.number().int().min(16).max(MAX_MEMORY_MIB).default(128),
  cpus: z.number().int().min(1).max(MAX_VCPUS).default(1),
  accel: z.enum(['auto', 'kvm', 'hvf', 'whpx', 'tcg']).default('auto'),
})

const WasmDir = z.strictObject({
  host: Path,
  guest: Text().refine((v) => v.startsWith('/'), 'must be an absolute guest path starting with "/"'),
  writable: z.boolean().default(false),
  outside: z
    .boolean()
    .default(false)
    .describe("Grant a host directory outside the world's folder (shown as such in the UI and ps)"),
})

const WIT_INTERFACE = /^[a-z][a-z0-9-]*:[a-z][a-z0-9-]*\/[a-z][a-z0-9-]*$/

const Wasm = z.strictObject({
  module: Path.min(1),
  serve: z.enum(['command', 'cgi', 'http']).default('command'),
  dirs: z.array(WasmDir).max(64).default([]),
  build: Path.optional().describe('Script that builds the module when it is missing'),
  isolation: z
    .enum(['shared', 'process'])
    .default('shared')
    .describe(
      'shared: a cgi module shares one host process with the other shared workloads of its world, isolated by the Wasm sandbox; process: a host process of its own (command and http always get one)',
    ),
  allowHttp: z
    .array(
      z.string().refine(
        isOriginOrRef,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the message shows the literal reference syntax
        'an http(s) origin like "http://127.0.0.1:18480", or a reference like "${workloads.backend.url}"',
      ),
    )
    .max(64)
    .default([])
    .describe('Origins (scheme://host:port) the component may call over wasi:http; none by default'),
  link: z
    .record(z.string().max(256), Path.min(1))
    .superRefine((links, ctx) => {
      for (const key of Object.keys(links)) {
        if (!WIT_INTERFACE.test(key))
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `"${key}" is not a WIT interface name like "example:text/shout"`,
          })
      }
    })
    .default({})
    .describe("Components (paths) whose exports satisfy this component's imports, keyed by WIT interface"),
})

/** POSIX-ish: a name with no "=" (it ends the name), no NUL and no line break; at most 256 chars. */
const EnvKey = z
  .string()
  .min(1, 'an environment variable name must not be empty')
  .max(256)
  .regex(/^[^=\0\r\n]+$/, 'an environment variable name must not contain "=", a NUL or a line break')

export const WorkloadSchema = z
  .strictObject({
    name: Name,
    kind: Kind,
    description: z.string().max(10_000).optional(),
    container: Container.optional(),
    vm: Vm.optional(),
    wasm: Wasm.optional(),
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
    if (!w[w.kind])
      ctx.addIssue({
        code: 'custom',
        path: [w.kind],
        message: `a ${w.kind} workload needs a "${w.kind}" section`,
      })
    for (const other of ['vm', 'container', 'wasm'] as const) {
      if (other !== w.kind && w[other]) {
        ctx.addIssue({
          code: 'custom',
          path: [other],
          message: `a ${w.kind} workload cannot have a "${other}" section`,
        })
      }
    }
    if (w.ready?.command && w.kind !== 'container')
      ctx.addIssue({
        code: 'custom',
        path: ['ready', 'command'],
        message: 'only a container workload can have a command readiness probe',
      })
    if (w.kind === 'wasm' && (w.limits.memoryMiB ?? 0) > WASM_MAX_MEMORY_MIB) {
      ctx.addIssue({
        code: 'custom',
        path: ['limits', 'memoryMiB'],
        message: `a Wasm guest's memory is at most ${WASM_MAX_MEMORY_MIB} MiB (32-bit linear memory)`,
      })
    }
    if (w.kind === 'vm' && w.vm && !w.vm.kernel && !w.vm.disk) {
      ctx.addIssue({
        code: 'custom',
        path: ['vm'],
        message: 'a vm needs a kernel (with an initrd) or a disk',
      })
    }
  })

export const WorldSchema = z.strictObject({
  apiVersion: z.literal('worldbench/v1'),
  name: Name,
  description: z.string().max(10_000).optional(),
  workloads: z.array(WorkloadSchema).min(1).max(100),
})

export type Kind = KindName
export type WorkloadInput = z.infer<typeof WorkloadSchema>
export type WorldInput = z.infer<typeof WorldSchema>

/** A workload as the runtimes see it: validated, with every path absolute, and its world named. */
export type Workload = WorkloadInput & { world: string }

export interface World {
  name: string
  description?: string
  file: string
  dir: string
  workloads: Workload[]
}
