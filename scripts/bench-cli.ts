// `npm run bench` part: how fast the built CLI answers, against a bare start of the same Node, in
// one interleaved run. Targets: `--version` ≤ 2.5× and `ps` with no service running ≤ 4× a bare
// `node -e 0`. Peak RSS comes from GNU time where it is installed.
import { spawn, spawnSync } from 'node:child_process'
import { once as onceEvent } from 'node:events'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { summarize } from '../main/core/bench/stats.ts'
import { Store } from '../main/core/store.ts'

const REPEATS = Number(process.env.BENCH_REPEATS ?? 15)
const node = process.execPath
const launcher = join(import.meta.dirname, '..', 'bin', 'worldbench.mjs')
if (!existsSync(join(import.meta.dirname, '..', 'out', 'cli', 'worldbench.js')))
  throw new Error('out/cli is missing: run "npm run build" first (npm run bench does)')
// A state dir of its own, with no service in it: `ps` answers from the engines and the store. The
// store is there, as in any state dir a service has used (ps reads its settings).
const home = mkdtempSync(join(tmpdir(), 'wb-bench-cli-'))
const env = { ...process.env, WORLDBENCH_HOME: home }
new Store(join(home, 'worldbench.db')).close()

interface Case {
  label: string
  argv: string[]
  target?: number
  bin?: string
  env?: NodeJS.ProcessEnv
}
// A second state dir with a service running in it: there `ps` asks the service.
const served = mkdtempSync(join(tmpdir(), 'wb-bench-cli-served-'))
const servedEnv = { ...process.env, WORLDBENCH_HOME: served }
const service = spawn(node, [launcher, 'service', 'run'], {
  env: servedEnv,
  stdio: ['ignore', 'ignore', 'pipe'],
})
let serviceLog = ''
service.stderr!.on('data', (c) => (serviceLog += c))
while (!/listening on/.test(serviceLog)) {
  if (service.exitCode !== null) throw new Error(`the service did not start: ${serviceLog}`)
  await new Promise((r) => setTimeout(r, 50))
}

const cases: Case[] = [
  { label: 'node -e 0', argv: ['-e', '0'] },
  { label: 'worldbench --version', argv: [launcher, '--version'], target: 2.5 },
  { label: 'worldbench --help', argv: [launcher, '--help'] },
  { label: 'worldbench ps', argv: [launcher, 'ps'], target: 4 },
  { label: 'worldbench ps (a service runs)', argv: [launcher, 'ps'], env: servedEnv },
]
// The hand-over from an older system Node (two Node starts), for information.
const systemNode = '/usr/bin/node'
if (existsSync(systemNode) && systemNode !== node)
  cases.push({ label: 'worldbench --version (system Node)', argv: [launcher, '--version'], bin: systemNode })

function once(c: Case): number {
  const t0 = performance.now()
  const r = spawnSync(c.bin ?? node, c.argv, { env: c.env ?? env, stdio: ['ignore', 'pipe', 'pipe'] })
  const ms = performance.now() - t0
  if (r.status !== 0) throw new Error(`${c.label} failed (${r.status}): ${r.stderr}`)
  return ms
}

function peakRssMiB(c: Case): number | undefined {
  if (!existsSync('/usr/bin/time')) return undefined
  const r = spawnSync('/usr/bin/time', ['-f', '%M', c.bin ?? node, ...c.argv], {
    env: c.env ?? env,
    encoding: 'utf8',
  })
  const kib = Number(r.stderr.trim().split('\n').at(-1))
  return Number.isFinite(kib) ? kib / 1024 : undefined
}

const times = new Map(cases.map((c) => [c.label, [] as number[]]))
for (const c of cases) once(c) // warm the page cache
for (let round = 0; round < REPEATS; round++) {
  // Rotate the order, so no command always runs right after the same one.
  for (let i = 0; i < cases.length; i++) {
    const c = cases[(i + round) % cases.length]!
    times.get(c.label)!.push(once(c))
  }
}

const bare = summarize(times.get('node -e 0')!).median
console.log(`\nCLI start → exit (median of ${REPEATS}, interleaved; Node ${process.versions.node})\n`)
console.log(
  `${'command'.padEnd(36)} ${'median'.padStart(8)} ${'p95'.padStart(8)} ${'peak RSS'.padStart(9)} ${'ratio'.padStart(6)}  target`,
)
for (const c of cases) {
  const s = summarize(times.get(c.label)!)
  const ratio = s.median / bare
  const rss = peakRssMiB(c)
  const verdict = c.target === undefined ? '' : `≤ ${c.target}  ${ratio <= c.target ? 'PASS' : 'FAIL'}`
  console.log(
    `${c.label.padEnd(36)} ${`${s.median.toFixed(0)} ms`.padStart(8)} ${`${s.p95.toFixed(0)} ms`.padStart(8)} ${(rss === undefined ? '-' : `${rss.toFixed(0)} MiB`).padStart(9)} ${ratio.toFixed(2).padStart(6)}  ${verdict}`,
  )
}
service.kill('SIGTERM')
await onceEvent(service, 'exit')
rmSync(home, { recursive: true, force: true })
rmSync(served, { recursive: true, force: true })
