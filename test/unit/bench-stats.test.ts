import { describe, expect, it } from 'vitest'
import { medianCiRanks, percentile, summarize } from '../../main/core/bench/stats.ts'

describe('bench statistics', () => {
  it('percentiles interpolate between ranks', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5)
    expect(percentile([10, 20, 30, 40, 50], 95)).toBeCloseTo(48)
    expect(percentile([7], 99)).toBe(7)
  })

  it('the median interval comes from binomial order statistics', () => {
    // Textbook values: n=6 → (1,6) covers 96.9%; n=10 → (2,9) covers 97.9%; n=20 → (6,15) covers 95.9%.
    expect(medianCiRanks(5)).toBeUndefined()
    expect(medianCiRanks(6)).toEqual([1, 6])
    expect(medianCiRanks(10)).toEqual([2, 9])
    expect(medianCiRanks(20)).toEqual([6, 15])
  })

  it('summarises and flags noise', () => {
    const s = summarize([10, 11, 9, 10, 10, 10, 11, 9, 10, 10])
    expect(s).toMatchObject({ median: 10, min: 9, max: 11, ci95: [9, 11], noisy: false })
    expect(summarize([1, 2, 10, 30, 5, 7, 100, 3, 4, 8]).noisy).toBe(true)
    // Five repeats cannot give a 95% interval for the median: [min, max] covers 93.75%, and says so.
    expect(summarize([5, 6, 5, 4, 5])).toMatchObject({ ci95: [4, 6], ciCoverage: 0.9375 })
  })

  it('never flags a constant or a single repeat as noisy; flags a wide interval even with two repeats', () => {
    expect(summarize([2_098_176, 2_098_176, 2_098_176]).noisy).toBe(false)
    expect(summarize([5, 5]).noisy).toBe(false)
    expect(summarize([42]).noisy).toBe(false)
    expect(summarize([100, 200]).noisy).toBe(true)
    expect(summarize([100, 110]).noisy).toBe(false)
    expect(summarize([0, 0.4]).noisy).toBe(true)
  })
})

describe('wrk report parsing', () => {
  // Real output of `wrk -t1 -c8 -d1s --latency` (wrk 4.1, Debian 12) against a local Node server.
  const REPORT = `Running 1s test @ http://127.0.0.1:18777/
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   823.54us    1.21ms  14.06ms   89.78%
    Req/Sec    15.31k     6.75k   21.45k    72.73%
  Latency Distribution
     50%  388.00us
     75%  633.00us
     90%    2.06ms
     99%    5.88ms
  16748 requests in 1.10s, 1.98MB read
Requests/sec:  15226.08
Transfer/sec:      1.80MB
`
  // wrk adds these lines only when they are non-zero; appended here to check they are counted.
  const ERRORS = '  Socket errors: connect 0, read 3, write 0, timeout 1\n  Non-2xx or 3xx responses: 2\n'
  it('reads requests/s, latency percentiles in ms and all errors', async () => {
    const { parseWrk } = await import('../../main/core/bench/load.ts')
    expect(parseWrk(REPORT)).toEqual({
      tool: 'wrk',
      requestsPerSecond: 15226.08,
      latencyP50Ms: 0.388,
      latencyP99Ms: 5.88,
      requests: 16748,
      errors: 0,
    })
    // 1 timeout + 2 non-2xx; the 3 read errors are connections the server closed after a full reply.
    expect(parseWrk(REPORT + ERRORS).errors).toBe(3)
  })
})

describe('density slope', () => {
  it('is the least-squares cost of one more instance', async () => {
    const { slope } = await import('../../main/core/bench/density.ts')
    expect(slope([100, 200, 300, 400])).toBeCloseTo(100)
    expect(slope([50, 160, 240, 355])).toBeCloseTo(99.5)
    expect(slope([42])).toBe(42)
    expect(slope([])).toBeNaN()
  })
})
