import { describe, expect, it } from 'vitest'
import type { BenchReport } from '../../contract/api.ts'
import { summarize } from '../../main/core/bench/stats.ts'
import {
  benchToCsv,
  benchToMarkdown,
  comparison,
  formatValue,
  spreadNote,
  summaryText,
} from '../../renderer/lib/bench-format.ts'

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
    expect(md).toContain('| Cold start | 160 ms [150 ms–170 ms] | 700 ms [690 ms–710 ms] |')
    expect(md).toContain('| Idle memory | – | 883.8 KiB')
    expect(md).toContain('**Warning:** VMs run under TCG')
    expect(md).toContain('Test CPU, 2 cores, 1.0 GiB')
  })

  it('Markdown leads with the verdict and lists what memory is made of and the overhead against the engine alone', () => {
    const md = benchToMarkdown({
      ...report,
      verdict: {
        rows: [],
        lines: ['Here, Wasm was the most efficient on 1 of 1 metrics.', 'cold start: Wasm best'],
      },
      results: [
        {
          ...report.results[1]!,
          metrics: { ...report.results[1]!.metrics, firstResponseMs: summarize([700, 690, 710]) },
          breakdown: {
            idle: [
              { name: 'cgroup', memoryBytes: 700 * 1024, cpuSeconds: 0 },
              { name: 'containerd-shim-runc-v2', pid: 9, memoryBytes: 12 * 1024 * 1024, cpuSeconds: 0 },
            ],
            loadCpuPercentByPart: {},
          },
          direct: { firstResponseMs: summarize([650, 660, 640]), overhead: 700 / 650 },
          timeline: [
            { name: 'create', ms: 20 },
            { name: 'port answering', ms: 680 },
          ],
          metricErrors: { loadCpuPercent: { code: 'TOO_FEW_SAMPLES', message: 'Only 2 readings' } },
        },
      ],
    })
    expect(md.indexOf('**Here, Wasm was the most efficient')).toBeLessThan(md.indexOf('| metric |'))
    expect(md).toContain('- cold start: Wasm best')
    expect(md).toContain('container idle memory = cgroup 700.0 KiB + containerd-shim-runc-v2 12.0 MiB.')
    expect(md).toContain('first response 700 ms vs 650 ms started directly = 1.08×')
    expect(md).toContain('**container loadCpuPercent:** Only 2 readings')
    expect(md).toContain(
      'Where the container cold start goes (median per phase): create 20 ms → port answering 680 ms.',
    )
  })

  it('says why a figure is flagged, never flags constants, and compares runs with ratio and direction', () => {
    expect(spreadNote(summarize([150, 160, 400]), 'ms')).toBe(
      'interval 150 ms–400 ms is 156% of the median 160 ms (noisy above 25%), 3 repeats',
    )
    expect(spreadNote(summarize([2048, 2048]), 'bytes')).toBe('constant over 2 repeats')
    expect(spreadNote(summarize([7]), 'ms')).toBe('no spread: 1 repeat')
    expect(summaryText(summarize([2048, 2048, 2048]), 'bytes')).toBe('2.0 KiB [2.0 KiB–2.0 KiB]')
    expect(comparison(200, 100, false)).toEqual({ text: '×2.00 ▲', better: false })
    expect(comparison(200, 100, true)).toEqual({ text: '×2.00 ▲', better: true })
    expect(comparison(50, 100, false)).toEqual({ text: '×0.50 ▼', better: true })
    expect(comparison(100, 100, false)).toEqual({ text: '×1.00 =', better: undefined })
  })

  it('formats units for people', () => {
    expect(formatValue(1534, 'ms')).toBe('1.53 s')
    expect(formatValue(4.2, 'ms')).toBe('4.20 ms')
    expect(formatValue(3 * 1024 * 1024, 'bytes')).toBe('3.0 MiB')
    expect(formatValue(Number.NaN, 'ms')).toBe('–')
  })
})
