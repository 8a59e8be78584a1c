import { execFile } from 'node:child_process'
import autocannon from 'autocannon'

export interface LoadResult {
  tool: string
  requestsPerSecond: number
  latencyP50Ms: number
  latencyP99Ms: number
  requests: number
  errors: number
}

export interface LoadOptions {
  url: string
  seconds: number
  connections: number
}

/**
 * Drives HTTP load at a URL on 127.0.0.1. wrk (C, microsecond latencies) when it is installed;
 * else autocannon, whose latencies have 1 ms resolution (the report names the tool).
 */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const host = new URL(opts.url).hostname
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '[::1]') {
    throw new Error(`Load is only ever sent to 127.0.0.1, not to ${host}.`)
  }
  if (await hasWrk()) return runWrk(opts)
  return runAutocannon(opts)
}

let wrkFound: Promise<boolean> | undefined
function hasWrk(): Promise<boolean> {
  wrkFound ??= new Promise((resolve) =>
    execFile('wrk', ['--version'], (err) => resolve(!err || (err as { code?: unknown }).code === 1)),
  )
  return wrkFound
}

function runWrk(opts: LoadOptions): Promise<LoadResult> {
  const args = [
    '-t1',
    `-c${opts.connections}`,
    `-d${opts.seconds}s`,
    '--latency',
    '--timeout',
    '10s',
    opts.url,
  ]
  return new Promise((resolve, reject) => {
    execFile('wrk', args, { timeout: (opts.seconds + 30) * 1000 }, (err, stdout) => {
      if (err) return reject(new Error(`wrk failed: ${err.message}`))
      resolve(parseWrk(stdout))
    })
  })
}

/** Parses wrk's report (`--latency`): requests/s, the 50% and 99% latencies, errors. */
export function parseWrk(out: string): LoadResult {
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? Number.NaN)
  const latency = (pct: string) => {
    const m = new RegExp(`^\\s*${pct}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(out)
    if (!m) return Number.NaN
    const v = Number(m[1])
    return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v
  }
  // A "read" socket error is wrk meeting a server that ends each response by closing the
  // connection (busybox httpd's CGI replies have no Content-Length): the response was complete,
  // so only connect, write and timeout errors and non-2xx/3xx answers count as failures.
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  const socketErrors = socket ? Number(socket[1]) + Number(socket[3]) + Number(socket[4]) : 0
  const non2xx = num(/Non-2xx or 3xx responses: (\d+)/)
  return {
    tool: 'wrk',
    requestsPerSecond: num(/Requests\/sec:\s+([\d.]+)/),
    latencyP50Ms: latency('50'),
    latencyP99Ms: latency('99'),
    requests: num(/(\d+) requests in/),
    errors: socketErrors + (Number.isNaN(non2xx) ? 0 : non2xx),
  }
}

async function runAutocannon(opts: LoadOptions): Promise<LoadResult> {
  const r = await autocannon({ url: opts.url, duration: opts.seconds, connections: opts.connections })
  return {
    tool: 'autocannon',
    requestsPerSecond: r.requests.average,
    latencyP50Ms: r.latency.p50,
    latencyP99Ms: r.latency.p99,
    requests: r.requests.total,
    errors: r.errors + r.timeouts + r.non2xx,
  }
}
