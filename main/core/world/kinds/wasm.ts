import { z } from 'zod'
import { Path, Text } from '../fields.ts'
import { isOriginOrRef } from '../origin.ts'
import type { FieldPath, KindFormat } from './kind-format.ts'
import { WASM_DEFAULT_MEMORY_MIB, WASM_DEFAULT_REQUEST_TIMEOUT_SECONDS } from './wasm-defaults.ts'

/** A Wasm guest's linear memory is 32-bit: at most 65,536 pages of 64 KiB. */
export const WASM_MAX_MEMORY_MIB = 4096

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

export const wasmFormat: KindFormat<typeof Wasm> = {
  kind: 'wasm',
  section: Wasm,
  readyTimeoutSeconds: 60,
  readyCommand: false,
  paths: (wasm) => {
    const out: [FieldPath, string][] = [[['module'], wasm.module]]
    if (wasm.build !== undefined) out.push([['build'], wasm.build])
    for (const [iface, path] of Object.entries(wasm.link)) out.push([['link', iface], path])
    return out
  },
  resolvePaths: (wasm, abs) => ({
    ...wasm,
    module: abs(wasm.module),
    build: wasm.build === undefined ? undefined : abs(wasm.build),
    link: Object.fromEntries(Object.entries(wasm.link).map(([iface, p]) => [iface, abs(p)])),
    dirs: wasm.dirs.map((d) => ({ ...d, host: abs(d.host) })),
  }),
  hostDirs: (wasm) =>
    wasm.dirs.map((d, j): [FieldPath, string, boolean] => [['dirs', j, 'host'], d.host, d.outside]),
  references: {
    values: (wasm) => wasm.allowHttp.map((v, j): [FieldPath, string] => [['allowHttp', j], v]),
    replace: (wasm, resolve) => ({ ...wasm, allowHttp: wasm.allowHttp.map(resolve) }),
  },
  check: (_wasm, limits, issue) => {
    if ((limits.memoryMiB ?? 0) > WASM_MAX_MEMORY_MIB)
      issue(
        ['limits', 'memoryMiB'],
        `a Wasm guest's memory is at most ${WASM_MAX_MEMORY_MIB} MiB (32-bit linear memory)`,
      )
  },
  defaultLimits: (wasm, limits) => {
    if (wasm.serve === 'http') return limits
    return {
      ...limits,
      memoryMiB: limits.memoryMiB ?? WASM_DEFAULT_MEMORY_MIB,
      ...(wasm.serve === 'cgi' && {
        timeoutSeconds: limits.timeoutSeconds ?? WASM_DEFAULT_REQUEST_TIMEOUT_SECONDS,
      }),
    }
  },
}
