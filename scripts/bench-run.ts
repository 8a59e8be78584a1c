// `npm run bench` part: `worldbench run` of a small command module against the same module run
// through node:wasi directly, each a fresh process, interleaved in one run. Target: within 3x in
// wall time (issue 14). Peak RSS is reported by a preload in each process.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { summarize } from '../main/core/bench/stats.ts'
import { projectRoot } from '../main/core/paths.ts'

const root = projectRoot()
const module = join(root, 'resources/worlds/hello-trio/build/hello.wasm')
const preload = join(root, 'scripts/bench/report-rss.mjs')
const ways = {
  'node:wasi': [join(root, 'scripts/bench/direct-wasi-command.mjs'), module],
  'worldbench run': [join(root, 'bin/worldbench.mjs'), 'run', module],
}
const REPEATS = Number(process.env.BENCH_RUN_REPEATS ?? 15)

function once(argv: string[]): Promise<{ ms: number; rssKiB: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const child = spawn(process.execPath, ['--import', preload, ...argv], {
      stdio: ['ignore', 'ignore', 'inherit', 'pipe'],
    })
    let report = ''
    child.stdio[3]!.on('data', (d: Buffer) => {
      report += d.toString()
    })
    child.on('error', reject)
    child.on('close', (code) => {
      const ms = performance.now() - t0
      if (code !== 0) reject(new Error(`${argv.join(' ')} exited with ${code}`))
      else resolve({ ms, rssKiB: Number(report.trim()) })
    })
  })
}

const results: Record<string, { ms: number[]; rss: number[] }> = {}
for (const name of Object.keys(ways)) results[name] = { ms: [], rss: [] }
// Warm-up: the first run of each fills Node's compile cache.
for (const argv of Object.values(ways)) await once(argv)
for (let i = 0; i < REPEATS; i++) {
  for (const [name, argv] of Object.entries(ways)) {
    const r = await once(argv)
    results[name]!.ms.push(r.ms)
    results[name]!.rss.push(r.rssKiB)
  }
}
const direct = summarize(results['node:wasi']!.ms).median
const wb = summarize(results['worldbench run']!.ms).median
const mib = (kib: number[]) => (summarize(kib).median / 1024).toFixed(1)
console.log(
  `\nworldbench run vs node:wasi: one small command module (hello.wasm), ${REPEATS} fresh processes each\n`,
)
for (const [name, r] of Object.entries(results))
  console.log(
    `  ${name.padEnd(16)} median ${summarize(r.ms).median.toFixed(0).padStart(5)} ms   peak RSS ${mib(r.rss)} MiB`,
  )
const ratio = wb / direct
console.log(`\n  ratio ${ratio.toFixed(2)}x (target ≤ 3x): ${ratio <= 3 ? 'PASS' : 'FAIL'}`)
console.log(
  `  memory ratio ${(summarize(results['worldbench run']!.rss).median / summarize(results['node:wasi']!.rss).median).toFixed(2)}x`,
)
