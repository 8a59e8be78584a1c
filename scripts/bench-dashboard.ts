// `npm run bench` part: the dashboard's performance targets (issue 7), measured in one run.
//   node scripts/bench-dashboard.ts        (needs the built renderer: npx electron-vite build)
// Prints a table and PASS/FAIL per target; exits 0 either way, as it is a report.

import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { measureRendererCost } from './dashboard-bench/renderer-cost.ts'
import { measureSamplerOverhead } from './dashboard-bench/sampler-overhead.ts'

const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 100)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15)

const home = mkdtempSync(join(tmpdir(), 'wb-bench-dash-'))
process.env.WORLDBENCH_HOME ??= home

type Row = [what: string, value: string, target: string, verdict: string]
const rows: Row[] = []
const check = (what: string, value: number, unit: string, target: number | undefined, digits = 2) =>
  rows.push([
    what,
    `${value.toFixed(digits)} ${unit}`,
    target === undefined ? '' : `< ${target} ${unit}`,
    target === undefined ? '' : value < target ? 'PASS' : 'FAIL',
  ])
const info = (what: string, value: string) => rows.push([what, value, '', ''])

console.log(
  `Dashboard bench: ${INSTANCES} instances at 1 Hz for ${SECONDS} s; load average at start ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
)

try {
  process.stdout.write('sampler: starting real `sleep` processes and sampling them… ')
  const s = await measureSamplerOverhead(INSTANCES, SECONDS)
  console.log('done')
  check('Sampler CPU, % of one core (this process)', s.cpuPercentOfCore, '%', 2)
  check('Sampler CPU as the dashboard reports it (median)', s.reportedMedianPercent, '%', undefined)
  info('Sampler ticks / instances in each', `${s.ticks} / ≥${s.instancesPerTickMin} of ${s.instances}`)
  info(
    'Sampler tick wall time, median / max',
    `${s.tickWallMsMedian.toFixed(1)} / ${s.tickWallMsMax.toFixed(1)} ms`,
  )
} catch (err) {
  rows.push(['Sampler overhead', `error: ${(err as Error).message}`, '< 2 %', 'FAIL'])
}

try {
  process.stdout.write('renderer: loading out/renderer in Chromium with SYNTHETIC instance data… ')
  const r = await measureRendererCost(INSTANCES, SECONDS)
  console.log('done')
  check('Renderer scripting per update (CDP ScriptDuration)', r.scriptMsPerUpdate, 'ms', 4)
  check('Renderer layout + style per update', r.layoutAndStyleMsPerUpdate, 'ms', undefined)
  check('Renderer main-thread task time per update', r.taskMsPerUpdate, 'ms', undefined)
  rows.push([
    'Dropped frames (long animation frames > 50 ms)',
    r.slowFrames === 0 ? 'none' : `${r.slowFrames}, slowest ${r.slowestFrameMs.toFixed(0)} ms`,
    '0',
    r.slowFrames === 0 ? 'PASS' : 'FAIL',
  ])
  info('Long tasks (> 50 ms) during the window', String(r.longTasks))
  info(
    'Main-thread work per frame (trace), median / max',
    `${r.frameWork.medianMs.toFixed(1)} / ${r.frameWork.maxMs.toFixed(1)} ms over ${r.frameWork.frames} frames; ${r.frameWork.overBudget} over 16.7 ms`,
  )
  info('Updates in the window', String(r.ticks))
  check('First contentful paint of the dashboard', r.firstContentfulPaintMs, 'ms', 1000, 0)
  check(`All ${r.instances} rows on screen`, r.rowsVisibleMs, 'ms', undefined, 0)
} catch (err) {
  rows.push(['Renderer cost', `error: ${(err as Error).message}`, '< 4 ms', 'FAIL'])
}

const widths = [0, 1, 2, 3].map((c) =>
  Math.max(...[['measure', 'value', 'target', ''], ...rows].map((r) => r[c]!.length)),
)
const line = (r: string[]) =>
  r
    .map((cell, c) => cell.padEnd(widths[c]!))
    .join('  ')
    .trimEnd()
console.log()
console.log(line(['measure', 'value', 'target', '']))
console.log(line(widths.map((w) => '-'.repeat(w))))
for (const r of rows) console.log(line(r))
const failed = rows.filter((r) => r[3] === 'FAIL').length
console.log(failed ? `\n${failed} target(s) missed: FAIL` : '\nEvery target met: PASS')
rmSync(home, { recursive: true, force: true })
