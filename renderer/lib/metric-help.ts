import type { KindInfo } from '../../contract/api.ts'

/** What each number counts and includes, shown as the tooltip of every metric in the app. */
export const METRIC_HELP = {
  cpu: {
    label: 'CPU',
    text: 'Share of one core over the last second (100% = one full core). Container: its cgroup, as docker stats counts it. VM: the whole QEMU process. Wasm: its host process.',
  },
  memory: {
    label: 'Memory',
    text: 'Host-side memory. Container: cgroup usage minus inactive file cache (the docker stats number). VM: resident set (RSS) of QEMU, guest RAM it has touched included. Wasm: RSS of its host process, shared with the workloads in the same host.',
  },
  pss: {
    label: 'PSS',
    text: 'Proportional set size (Linux): like RSS, but each shared page is split between the processes that map it, so the PSS of all processes adds up to what they really use together.',
  },
  guestMemory: {
    label: 'Guest memory',
    text: 'What the workload was given: a VM its RAM, a container its memory limit, Wasm the linear memory its instances have grown to.',
  },
  network: {
    label: 'Network',
    text: 'Bytes received and sent since start, from the engine’s per-container counters.',
  },
  host: {
    label: 'Host',
    text: 'The whole machine: CPU over all cores, and memory in use (total minus available).',
  },
  sampler: {
    label: 'Sampler cost',
    text: 'CPU that Worldbench itself spends measuring everything once a second.',
  },
} as const

export type MetricName = keyof typeof METRIC_HELP

/** Why a kind's engine cannot report a metric (its descriptor says), shown instead of an empty chart. */
export function notMeasuredReason(metric: MetricName, kind: KindInfo | undefined): string | undefined {
  const reason = kind?.notMeasured[metric as keyof KindInfo['notMeasured']]
  return reason === undefined ? undefined : `Not measured for ${kind!.plural}: ${reason}`
}
