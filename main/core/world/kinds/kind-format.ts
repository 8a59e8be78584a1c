import type { z } from 'zod'
import type { Kind } from '../../../../contract/kinds.ts'

export type FieldPath = (string | number)[]
export type Issue = (path: FieldPath, message: string) => void
export interface Limits {
  memoryMiB?: number
  cpus?: number
  timeoutSeconds?: number
}

/**
 * What a world file says about one kind of workload: its `<kind>:` section, the paths in it, its
 * defaults and its checks. The world schema, the loader and readiness read these instead of naming
 * kinds; the kind's runtime descriptor (main/runtimes/<kind>/descriptor.ts) points at its format.
 */
export interface KindFormat<S extends z.ZodType = z.ZodType, T = z.output<S>> {
  kind: Kind
  section: S
  /** How long a workload may take to become ready when its file sets no readiness timeout. */
  readyTimeoutSeconds: number
  /** Whether readiness may be a health command run inside the workload (an engine feature). */
  readyCommand: boolean
  /** Every file path the section names (relative to the world file), with its field path. */
  paths(section: T): [FieldPath, string][]
  /** The section with its host paths made absolute against the world's folder. */
  resolvePaths(section: T, abs: (p: string) => string): T
  /** Host folders the section grants, checked against the world's folder (field path, folder, allowed outside). */
  hostDirs?(section: T): [FieldPath, string, boolean][]
  /** Values that may hold `${workloads.NAME.url}` references, and the section with them replaced. */
  references?: {
    values(section: T): [FieldPath, string][]
    replace(section: T, resolve: (value: string) => string): T
  }
  /** Checks across the section and the workload's limits; paths are the workload's. */
  check?(section: T, limits: Limits, issue: Issue): void
  /** Limits a workload gets when its file names none. */
  defaultLimits?(section: T, limits: Limits): Limits
}
