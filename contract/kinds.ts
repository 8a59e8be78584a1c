/**
 * The kinds of workload Worldbench runs, on the floor every layer stands on: main, the preload and
 * the renderer all read them from here.
 */
export const KINDS = ['vm', 'container', 'wasm'] as const

export type Kind = (typeof KINDS)[number]
