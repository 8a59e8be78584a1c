import { dirname, isAbsolute, relative, resolve } from 'node:path'
import type { ValidationIssue } from '../../../contract/api.ts'
import { dirHostProblem, realPathOutside } from './host-paths.ts'
import { formatOf } from './kinds/index.ts'
import { networkIssues } from './network-checks.ts'
import { dependencyCycle } from './order.ts'
import { refsIn } from './refs.ts'
import type { WorldInput } from './schema.ts'

export type Locate = (path: (string | number)[]) => { line?: number; column?: number }

export function semanticIssues(file: string, world: WorldInput, lineCol: Locate): ValidationIssue[] {
  const issues: ValidationIssue[] = []
  const issue = (path: (string | number)[], message: string) =>
    issues.push({ file, ...lineCol(path), path: path.join('.'), message })
  const names = new Map<string, number>()
  world.workloads.forEach((w, i) => {
    if (names.has(w.name)) issue(['workloads', i, 'name'], `duplicate workload name "${w.name}"`)
    names.set(w.name, i)
  })
  const hostPorts = new Map<string, string>()
  world.workloads.forEach((w, i) => {
    w.dependsOn.forEach((d, j) => {
      if (!names.has(d))
        issue(
          ['workloads', i, 'dependsOn', j],
          `"${w.name}" depends on "${d}", which is not a workload of this world`,
        )
      if (d === w.name) issue(['workloads', i, 'dependsOn', j], `"${w.name}" depends on itself`)
    })
    w.ports.forEach((p, j) => {
      if (p.host === 0) return
      const key = `${p.bind}:${p.host}`
      const other = hostPorts.get(key)
      if (other)
        issue(
          ['workloads', i, 'ports', j, 'host'],
          `host port ${p.host} is used by both "${other}" and "${w.name}"`,
        )
      hostPorts.set(key, w.name)
    })
    for (const [path, value] of referencingValues(w)) {
      const { names, invalid } = refsIn(value)
      for (const r of invalid)
        issue(
          ['workloads', i, ...path],
          `"${r}" is not a reference Worldbench knows; use \${workloads.NAME.url}`,
        )
      for (const n of names) {
        if (!w.dependsOn.includes(n))
          issue(
            ['workloads', i, ...path],
            `"${w.name}" refers to \${workloads.${n}.url}, so it must list "${n}" in dependsOn`,
          )
      }
    }
    for (const [path, value] of artifactPaths(w)) {
      const abs = resolve(dirname(file), value)
      const rel = relative(dirname(file), abs)
      if (isAbsolute(value) || rel.startsWith('..'))
        issue(['workloads', i, ...path], `path "${value}" escapes the world's folder`)
      else {
        const real = realPathOutside(dirname(file), value)
        if (real !== undefined)
          issue(
            ['workloads', i, ...path],
            `path "${value}" leads outside the world's folder through a symlink (to ${real})`,
          )
      }
    }
    const section = w[w.kind]
    for (const [path, host, outside] of section ? (formatOf(w.kind).hostDirs?.(section) ?? []) : []) {
      const problem = dirHostProblem(dirname(file), host, outside)
      if (problem) issue(['workloads', i, w.kind, ...path], problem)
    }
  })
  networkIssues(world, issue)
  const cycle = dependencyCycle(world.workloads)
  if (cycle)
    issue(['workloads', names.get(cycle[0]!) ?? 0, 'dependsOn'], `dependency cycle: ${cycle.join(' → ')}`)
  return issues
}

/** Every file path a workload names, with its field path, so they can be checked and resolved alike. */
function artifactPaths(w: WorldInput['workloads'][number]): [(string | number)[], string][] {
  const section = w[w.kind]
  const own = section ? formatOf(w.kind).paths(section) : []
  return [
    ...own.map(([path, v]): [(string | number)[], string] => [[w.kind, ...path], v]),
    ...(w.prepare !== undefined ? [[['prepare'], w.prepare] as [(string | number)[], string]] : []),
  ]
}

/** Values that may hold \${workloads.NAME.url} references, with their field paths. */
function referencingValues(w: WorldInput['workloads'][number]): [(string | number)[], string][] {
  const section = w[w.kind]
  const own = section ? (formatOf(w.kind).references?.values(section) ?? []) : []
  return [
    ...Object.entries(w.env).map(([k, v]): [(string | number)[], string] => [['env', k], v]),
    ...own.map(([path, v]): [(string | number)[], string] => [[w.kind, ...path], v]),
  ]
}
