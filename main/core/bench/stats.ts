import type { MetricSummary } from '../../../contract/api.ts'

/*
 * One metric over the repeats of a benchmark: median, p95, min, max, and a distribution-free
 * interval of the median from order statistics (95% where n allows; ciCoverage says what it
 * really covers: [min, max] of 5 repeats covers 93.75%). `noisy` flags an interval wider than
 * 25% of the median: never a constant (an artifact's size), never a single repeat, which has no
 * spread to judge.
 */

/** Percentile by linear interpolation between closest ranks (the method spreadsheets use). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = (p / 100) * (sorted.length - 1)
  const lo = Math.floor(rank)
  const hi = Math.ceil(rank)
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo)
}

/**
 * Ranks (1-based) j < k such that [x(j), x(k)] covers the median with at least 95% probability,
 * from the binomial(n, 1/2) distribution; undefined when n is too small for any such pair.
 */
export function medianCiRanks(n: number): [number, number] | undefined {
  for (let j = Math.floor(n / 2); j >= 1; j--) {
    if (coverage(n, j) >= 0.95) return [j, n - j + 1]
  }
  return undefined
}

/** Probability that [x(j), x(n-j+1)] contains the median of the distribution. */
export function coverage(n: number, j: number): number {
  let c = 0
  for (let i = j; i < n - j + 1; i++) c += Math.exp(logChoose(n, i) - n * Math.LN2)
  return c
}

function logChoose(n: number, k: number): number {
  let s = 0
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i)
  return s
}

export function summarize(samples: number[], noisyRelativeWidth = 0.25): MetricSummary {
  const sorted = [...samples].sort((a, b) => a - b)
  const median = percentile(sorted, 50)
  const ranks = medianCiRanks(sorted.length)
  const ci95: [number, number] = ranks
    ? [sorted[ranks[0] - 1]!, sorted[ranks[1] - 1]!]
    : [sorted[0]!, sorted[sorted.length - 1]!]
  const width = ci95[1] - ci95[0]
  const ciCoverage = sorted.length > 1 ? coverage(sorted.length, ranks?.[0] ?? 1) : 0
  return {
    median,
    p95: percentile(sorted, 95),
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    ci95,
    ciCoverage,
    noisy: width > 0 && (median === 0 || width / Math.abs(median) > noisyRelativeWidth),
    samples,
  }
}
