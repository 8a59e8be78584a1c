/** Dependency order of a world's workloads: waves that can start in parallel, first to last. */
export function startWaves<T extends { name: string; dependsOn: string[] }>(workloads: T[]): T[][] {
  const done = new Set<string>()
  const left = [...workloads]
  const waves: T[][] = []
  while (left.length > 0) {
    const wave = left.filter((w) => w.dependsOn.every((d) => done.has(d)))
    if (wave.length === 0) throw new Error(`dependency cycle among ${left.map((w) => w.name).join(', ')}`)
    for (const w of wave) {
      done.add(w.name)
      left.splice(left.indexOf(w), 1)
    }
    waves.push(wave)
  }
  return waves
}

/** The first cycle in `dependsOn`, as names from its start back to itself, or undefined. */
export function dependencyCycle(workloads: { name: string; dependsOn: string[] }[]): string[] | undefined {
  const deps = new Map(workloads.map((w) => [w.name, w.dependsOn]))
  const state = new Map<string, 'visiting' | 'done'>()
  const stack: string[] = []
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined
    if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name]
    state.set(name, 'visiting')
    stack.push(name)
    for (const d of deps.get(name) ?? []) {
      if (d === name || !deps.has(d)) continue
      const found = visit(d)
      if (found) return found
    }
    stack.pop()
    state.set(name, 'done')
    return undefined
  }
  for (const w of workloads) {
    const found = visit(w.name)
    if (found) return found
  }
  return undefined
}

/** What `of` depend on, directly or through others, in start waves (`of` themselves only when depended on). */
export function dependencyWaves<T extends { name: string; dependsOn: string[] }>(all: T[], of: T[]): T[][] {
  const byName = new Map(all.map((w) => [w.name, w]))
  const needed = new Set<string>()
  const visit = (name: string) => {
    const w = byName.get(name)
    if (!w || needed.has(name)) return
    needed.add(name)
    for (const d of w.dependsOn) visit(d)
  }
  for (const w of of) for (const d of w.dependsOn) visit(d)
  return startWaves(all.filter((w) => needed.has(w.name)))
}
