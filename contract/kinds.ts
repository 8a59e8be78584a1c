/**
 * The kinds of workload Worldbench runs, on the floor every layer stands on: main, the preload and
 * the renderer all read them from here.
 */
export const KINDS = ['vm', 'container', 'wasm'] as const

export type Kind = (typeof KINDS)[number]

/** One setting of a kind's engine, as the Engines page shows it. Keys are `<kind>.<name>`. */
export interface SettingInfo {
  key: string
  label: string
  help: string
  /** engine-path: a program or socket, chosen in the desktop app only; toggle: on or off. */
  control: 'engine-path' | 'toggle'
  placeholder?: string
  default?: boolean
}

/** What the fronts show for one kind, from its runtime's descriptor. */
export interface KindInfo {
  kind: Kind
  /** e.g. "Container", "VM", "Wasm". */
  label: string
  /** e.g. "containers", "VMs": in sentences such as "Not measured for VMs". */
  plural: string
  /** Metrics its engine cannot measure, each with the reason shown instead of an empty chart. */
  notMeasured: Partial<Record<'network', string>>
  settings: SettingInfo[]
}
