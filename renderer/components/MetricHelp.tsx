import { METRIC_HELP, type MetricName } from '../lib/metric-help.ts'
import { Help } from './Help.tsx'

/** A metric's name with what it counts. */
export function MetricHelp({ metric }: { metric: MetricName }) {
  const m = METRIC_HELP[metric]
  return <Help label={m.label} text={m.text} />
}
