import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatBench } from '../../main/cli/commands/bench.ts'
import type { Kind } from '../../main/core/world/schema.ts'
import { createService } from '../../main/create-service.ts'
import type { WorldbenchService } from '../../main/service.ts'

const ONCE = { repeats: 1, warmups: 0, loadSeconds: 0, idleSeconds: 0, connections: 1 }

const EXPECTED: Record<Kind, string[]> = {
  container: ['create', 'start', 'process running', 'port answering'],
  vm: ['QEMU process', 'kernel', 'init', 'guest ready line', 'port answering'],
  wasm: ['host ready', 'compile', 'instantiate', 'port answering'],
}

describe('cold-start timeline, real engines', () => {
  let service: WorldbenchService
  beforeAll(() => {
    service = createService()
  })
  afterAll(async () => {
    await service.close({ stopAll: true })
  })

  it.each(['container', 'wasm', 'vm'] as Kind[])(
    '%s: phases from real events, in order, each ≥ 0, adding up to the measured first response',
    async (kind) => {
      const report = await service.handlers.benchRun({ world: 'hello-trio', kinds: [kind], ...ONCE })
      const result = report.results[0]!
      expect(result.error).toBeUndefined()
      const timeline = result.timeline!
      const names = timeline.map((p) => p.name)
      // A Wasm module already compiled in this process is a cache hit instead of a compile.
      expect(names).toEqual(
        kind === 'wasm' && names.includes('cache hit')
          ? EXPECTED.wasm.map((n) => (n === 'compile' ? 'cache hit' : n))
          : EXPECTED[kind],
      )
      for (const p of timeline) expect(p.ms).toBeGreaterThanOrEqual(0)
      const total = timeline.reduce((a, p) => a + p.ms, 0)
      expect(Math.abs(total - result.runs[0]!.firstResponseMs!)).toBeLessThan(0.01)
      // The CLI prints the same phases, in the same order.
      const line = formatBench(report)
        .split('\n')
        .find((l) => l.startsWith(`  ${kind}: `) && l.includes(' → '))
      expect(line).toMatch(new RegExp(names.map((n) => `${n} \\d+ ms`).join(' → ')))
    },
    240_000,
  )

  it('each instance of a launched world carries its own start timeline, request to ready', async () => {
    const t0 = Date.now()
    await service.handlers.worldUp({ world: 'hello-trio' })
    const took = Date.now() - t0
    try {
      const instances = service.listInstances().filter((i) => i.world === 'hello-trio')
      expect(instances.map((i) => i.kind).sort()).toEqual(['container', 'vm', 'wasm'])
      for (const i of instances) {
        const names = i.timeline!.map((p) => p.name)
        expect(names.at(-1)).toBe('port answering')
        expect(names.slice(0, -1)).toEqual(
          EXPECTED[i.kind]
            .slice(0, -1)
            .map((n) => (n === 'compile' && names.includes('cache hit') ? 'cache hit' : n)),
        )
        for (const p of i.timeline!) expect(p.ms).toBeGreaterThanOrEqual(0)
        // Inside the launch: no phase is counted that did not happen during it.
        expect(i.timeline!.reduce((a, p) => a + p.ms, 0)).toBeLessThanOrEqual(took)
      }
    } finally {
      await service.handlers.worldDown({ world: 'hello-trio' })
    }
  }, 300_000)
})
