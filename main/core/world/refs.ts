/**
 * References from one workload to another's published URL: `${workloads.<name>.url}` in an env
 * value or in wasm.allowHttp. The world loader checks that each names a workload listed in
 * dependsOn; the Supervisor fills them in once those dependencies are ready, so a workload can
 * reach another one whose host port is picked at start.
 */
import { WorldbenchError } from '../errors.ts'
import { formatOf } from './kinds/index.ts'
import type { Workload } from './schema.ts'

const REF = /\$\{workloads\.([a-z0-9][a-z0-9-]*)\.url\}/g
const ANY_REF = /\$\{[^}]*\}/g

/** Workload names referenced in a value, and any `${…}` that is not a valid reference. */
export function refsIn(value: string): { names: string[]; invalid: string[] } {
  const names = [...value.matchAll(REF)].map((m) => m[1]!)
  const invalid = [...value.matchAll(ANY_REF)]
    .map((m) => m[0])
    .filter((r) => !new RegExp(`^${REF.source}$`).test(r))
  return { names, invalid }
}

/** Replaces every reference using `urlOf`; a reference without a URL is an error naming both workloads. */
export function resolveRefs(
  value: string,
  owner: string,
  urlOf: (name: string) => string | undefined,
): string {
  return value.replace(REF, (_, name: string) => {
    const url = urlOf(name)
    if (url === undefined) {
      throw new WorldbenchError(
        'REF_UNRESOLVED',
        `${owner} refers to \${workloads.${name}.url}, but ${name} is not running with a published port.`,
        `Give ${name} a port and list it in ${owner}'s dependsOn.`,
      )
    }
    return url
  })
}

/** The workload with its env values and its section's references (wasm.allowHttp) resolved (unchanged when it has none). */
export function withResolvedRefs(w: Workload, urlOf: (name: string) => string | undefined): Workload {
  const has = (v: string) => refsIn(v).names.length > 0
  const refs = formatOf(w.kind).references
  const section = w[w.kind]
  const own = section && refs ? refs.values(section).map(([, v]) => v) : []
  if (!Object.values(w.env).some(has) && !own.some(has)) return w
  const resolve = (v: string) => resolveRefs(v, w.name, urlOf)
  return {
    ...w,
    env: Object.fromEntries(Object.entries(w.env).map(([k, v]) => [k, resolve(v)])),
    ...(section && refs && { [w.kind]: refs.replace(section, resolve) }),
  }
}
