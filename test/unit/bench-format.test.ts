import { describe, expect, it } from 'vitest'
import { summarize } from '../../main/core/bench/stats.ts'
import type { BenchReport } from '../../preload/api.ts'
import { benchToCsv, benchToMarkdown, formatValue } from '../../renderer/lib/bench-format.ts'

const report: BenchReport = {
  id: 'r1',
  title: 'hello-trio: wasm vs container',
  world: 'hello-trio',
  options: {
    kinds: ['wasm', 'container'],
    repeats: 3,
    warmups: 1,
    loadSeconds: 1,
    idleSeconds: 1,
    connections: 4,
  },
  environment: {
    host: { cpuModel: 'Test CPU', cores: 2, memoryBytes: 2 ** 30, os: 'Linux 6', arch: 'x64' },
    loadAtStart: [0.5, 0.4, 0.3],
    power: 'mains',
    engines: [{ kind: 'container', engine: 'Docker Engine 20.10', details: {} }],
    wasmEngine: 'V8',
    warnings: ['VMs run under TCG'],
    node: '24',
    startedAt: '2026-11-24T00:00:00Z',
  },
  results: [
    { kind: 'wasm', workload: 'hello-wasm', metrics: { coldStartMs: summarize([150, 160, 170]) }, runs: [] },
    {
      kind: 'container',
      workload: 'hello-container',
      metrics: {
        coldStartMs: summarize([700, 710, 690]),
        idleMemoryBytes: summarize([900_000, 910_000, 905_000]),
      },
      runs: [],
      error: undefined,
    },
  ],
  createdAt: 0,
  durationMs: 1,
}

describe('bench exports', () => {
  it('CSV has one row per kind × metric with the interval and every sample', () => {
    const lines = benchToCsv(report).trim().split('\n')
    expect(lines[0]).toBe(
      'kind,workload,metric,median,p95,min,max,ci95_low,ci95_high,ci_coverage,noisy,samples',
    )
    expect(lines).toHaveLength(4)
    expect(lines[1]).toMatch(/^wasm,hello-wasm,coldStartMs,160,169,150,170,150,170,0\.75,false,150 160 170$/)
  })

  it('Markdown shows medians with intervals per kind, the host and the warnings', () => {
    const md = benchToMarkdown(report)
    expect(md).toContain('| metric | wasm (hello-wasm) | container (hello-container) |')
    expect(md).toContain('| Cold start | 160 ms (150 ms–170 ms) | 700 ms (690 ms–710 ms) |')
    expect(md).toContain('| Idle memory | – | 883.8 KiB')
    expect(md).toContain('**Warning:** VMs run under TCG')
    expect(md).toContain('Test CPU, 2 cores, 1.0 GiB')
  })

  it('formats units for people', () => {
    expect(formatValue(1534, 'ms')).toBe('1.53 s')
    expect(formatValue(4.2, 'ms')).toBe('4.20 ms')
    expect(formatValue(3 * 1024 * 1024, 'bytes')).toBe('3.0 MiB')
    expect(formatValue(Number.NaN, 'ms')).toBe('–')
  })
})
