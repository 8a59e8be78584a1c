/**
 * The contract: the one list of API methods, their input schemas, their result types and the
 * event map. The Electron IPC handlers, the preload bridge, the WebSocket transport and the
 * control-socket transport are all generated from `methods`, so no transport can drift.
 * The renderer imports only types from this file.
 */
import { z } from 'zod'
import type { Kind, KindInfo } from './kinds.ts'

export { KINDS, type Kind, type KindInfo, type SettingInfo } from './kinds.ts'

// ---------- shapes shared by every front ----------

/** The one error shape every transport returns. */
export interface ErrorShape {
  code: string
  message: string
  hint?: string
  details?: Record<string, unknown>
}

export type InstanceState =
  | 'preparing'
  | 'starting'
  | 'running'
  | 'stopping'
  | 'stopped'
  | 'failed'
  | 'unknown'

export interface PortBinding {
  host: number
  guest: number
  bind: string
  url: string
}

/**
 * One thing on the host that exists because of a workload: a container's cgroup, its shim and
 * port proxies, a VM's QEMU, a Wasm workload's linear memory and its share of its host process.
 */
export interface CostPart {
  /** e.g. "cgroup", "containerd-shim-runc-v2", "docker-proxy :32768", "qemu-system-x86_64", "wasm host" */
  name: string
  pid?: number
  /** What it adds: PSS for a process (RSS where the OS gives no PSS), cgroup usage minus inactive file. */
  memoryBytes: number
  rssBytes?: number
  pssBytes?: number
  /** CPU time used so far (user + system), seconds; deltas over a window give CPU %. */
  cpuSeconds: number
  /** The fraction of a shared process counted here (1: all of it). */
  share?: number
}

export interface Sample {
  t: number
  cpuPercent: number
  /** Full host-side cost: the sum of `parts` where given (cgroup + shim + proxies, QEMU, host share). */
  memoryBytes: number
  /** What memoryBytes and cpuPercent are made of. */
  parts?: CostPart[]
  /** Proportional set size of a process (Linux): shared pages split between their sharers. */
  pssBytes?: number
  guestMemoryBytes?: number
  /** Wasm: the largest linear memory one instance reached (a cgi workload runs one per request). */
  guestPeakBytes?: number
  /** Wasm: CPU % spent in the workload's own guests, measured per run (included in cpuPercent). */
  guestCpuPercent?: number
  /** Wasm: the host process the workload runs in, and its share of it (included in memoryBytes and pssBytes). */
  host?: WasmHostShare
  netRxBytes?: number
  netTxBytes?: number
}

export interface WasmHostShare {
  pid: number
  /** Workloads in the host: 1 for a host of its own (isolation: process). */
  workloads: number
  rssBytes: number
  pssBytes?: number
  /** The host's PSS (RSS where there is none) less its guests' linear memory, split evenly. */
  shareBytes: number
}

export interface LogLine {
  t: number
  stream: 'stdout' | 'stderr' | 'serial' | 'system'
  line: string
}

export interface InstallHint {
  linux: string
  macos: string
  windows: string
}

export interface EngineStatus {
  kind: Kind
  available: boolean
  /** Human name of what was found, e.g. "Docker Engine 20.10.24" or "QEMU 7.2.0". */
  engine?: string
  version?: string
  details: Record<string, string>
  warnings: string[]
  error?: ErrorShape
  install?: InstallHint
}

export interface DoctorReport {
  worldbench: string
  node: string
  platform: string
  arch: string
  stateDir: string
  engines: EngineStatus[]
}

/** One phase of a cold start and how long it took; a start's phases add up to its cold start. */
export interface StartPhase {
  name: string
  ms: number
}

export interface InstanceInfo {
  id: string
  kind: Kind
  world: string
  workload: string
  state: InstanceState
  reason?: string
  ports: PortBinding[]
  startedAt: number
  external?: boolean
  image?: string
  last?: Sample
  /** Where its start went, request to first answer on its port (when it was started here). */
  timeline?: StartPhase[]
}

export interface WorldSummary {
  name: string
  description?: string
  file: string
  sample: boolean
  kinds: Kind[]
  workloads: number
  /** Workload names in the order the world file lists them (the UI keeps that order). */
  workloadNames: string[]
  desired: 'up' | 'down'
  /** Set when a saved world's file is missing or no longer valid: why, with file:line:column. */
  broken?: string
}

/** Long operations under way, for every client: which worlds are starting or stopping, a bench run. */
export interface Activity {
  worlds: Record<string, 'starting' | 'stopping'>
  bench?: { world: string; startedAt: number }
}

export interface ValidationIssue {
  file: string
  line?: number
  column?: number
  path: string
  message: string
}

export interface ValidationResult {
  ok: boolean
  world?: { name: string; workloads: { name: string; kind: Kind; dependsOn: string[] }[] }
  issues: ValidationIssue[]
  /** What is read but not honoured (e.g. a Compose key Worldbench ignores), or honoured and risky. */
  warnings?: ValidationIssue[]
}

export interface WorldStatus {
  world: string
  instances: InstanceInfo[]
  failed: { workload: string; error: ErrorShape }[]
}

export interface ProgressInfo {
  scope: string
  step: string
  percent?: number
  message?: string
}

export interface SamplesTick {
  t: number
  host: { cpuPercent: number; memoryUsedBytes: number; memoryTotalBytes: number }
  samplerCpuPercent: number
  instances: Record<string, Sample>
}

export type Settings = Record<string, unknown>

export type WasmInspectionInfo =
  | {
      format: 'module'
      file: string
      bytes: number
      sha256: string
      wasi: string
      imports: { module?: string; name: string; kind: string }[]
      exports: { module?: string; name: string; kind: string }[]
    }
  | {
      format: 'component'
      file: string
      bytes: number
      sha256: string
      wit: string
      imports: string[]
      exports: string[]
    }

export interface InstanceDetails {
  info: InstanceInfo
  /** The workload as its world file declares it (paths resolved), when Worldbench knows it. */
  definition?: Record<string, unknown>
  /** For Wasm: its imports and exports, or its component's WIT world. */
  wasm?: WasmInspectionInfo
}

export interface MetricSummary {
  median: number
  p95: number
  min: number
  max: number
  ci95: [number, number]
  ciCoverage: number
  noisy: boolean
  samples: number[]
}

export type BenchMetric =
  | 'artifactBytes'
  | 'coldStartMs'
  | 'firstResponseMs'
  | 'idleMemoryBytes'
  | 'idleCpuPercent'
  | 'requestsPerSecond'
  | 'latencyP50Ms'
  | 'latencyP99Ms'
  | 'loadCpuPercent'
  | 'loadMemoryBytes'
  | 'loadErrors'
  | 'stopMs'

/** A ranking of the kinds on one metric, best first, with each one's ratio to the best. */
export interface VerdictRow {
  metric: BenchMetric
  higherIsBetter: boolean
  ranking: { kind: Kind; median: number; ratioToBest: number }[]
}

/** Who won: per metric the ranking, and one line on the common claim (Wasm < containers < VMs in cost). */
export interface BenchVerdict {
  rows: VerdictRow[]
  /** Sentences for people, the same on every front: the headline first. */
  lines: string[]
  /** Whether the claim "Wasm most efficient, containers middle, VMs least" held on every metric compared. */
  claimHolds?: boolean
}

/** The same workload started directly with its engine, without Worldbench, in the same run. */
export interface DirectBaseline {
  /** start requested → first HTTP success, each repeat. */
  firstResponseMs: MetricSummary
  /** Worldbench's median over the direct median: 1.00 means no overhead. */
  overhead: number
}
export interface BenchEnvironment {
  host: { cpuModel: string; cores: number; memoryBytes: number; os: string; arch: string }
  loadAtStart: [number, number, number]
  power: string
  engines: { kind: string; engine: string; version?: string; details: Record<string, string> }[]
  vmAccelerator?: string
  wasmEngine: string
  warnings: string[]
  node: string
  startedAt: string
}

export interface BenchKindResult {
  kind: Kind
  workload: string
  metrics: Partial<Record<BenchMetric, MetricSummary>>
  /** Every measured repeat (warm-ups excluded), in the order they ran. */
  runs: Partial<Record<BenchMetric, number>>[]
  loadTool?: string
  error?: ErrorShape
  density?: DensityResult
  /** Metrics that could not be measured (too few samples in a window), with why; never reported as 0. */
  metricErrors?: Partial<Record<BenchMetric, ErrorShape>>
  /** What the idle memory and the CPU under load are made of (last repeat). */
  breakdown?: { idle: CostPart[]; loadCpuPercentByPart: Record<string, number> }
  direct?: DirectBaseline
  /** Median duration of each cold-start phase over the repeats, request to first response. */
  timeline?: StartPhase[]
}

/** How many instances of one kind fit: started one after another until a count or a memory budget. */
export interface DensityResult {
  started: number
  stoppedBecause: 'count' | 'memory budget' | 'error'
  error?: ErrorShape
  /** Full host-side memory (the same parts as idle memory) of all instances after each start (index 0: one instance). */
  totalMemoryBytes: number[]
  /** Least-squares slope of total memory over instance count: what one more instance costs. */
  marginalMemoryBytes: number
}

export interface BenchReport {
  id: string
  title: string
  world: string
  options: {
    kinds: Kind[]
    repeats: number
    warmups: number
    loadSeconds: number
    idleSeconds: number
    connections: number
    density?: { count: number; memoryBudgetMiB?: number }
    direct?: boolean
  }
  environment: BenchEnvironment
  results: BenchKindResult[]
  verdict?: BenchVerdict
  /** Shared engine daemons (dockerd, containerd, a spare Wasm host), shown once, not per workload. */
  engineOverhead?: { kind: Kind; parts: CostPart[] }[]
  createdAt: number
  durationMs: number
}

export interface BenchSummary {
  id: string
  title: string
  createdAt: number
}

export interface ContainerImageInfo {
  id: string
  tags: string[]
  bytes: number
  createdAt: number
  /** Containers that use it, with their state: "hello-container (running)". */
  usedBy: string[]
}

/** A file an instance runs from (a VM kernel or disk, a Wasm module or component). */
export interface ArtifactFile {
  kind: Kind
  role: string
  file: string
  bytes?: number
  usedBy: string[]
  wasm?: { format: 'module' | 'component'; sha256: string; imports: number; exports: number }
}

export interface Artifacts {
  images: ContainerImageInfo[]
  /** Why images could not be listed (the container engine is not there). */
  imagesError?: ErrorShape
  files: ArtifactFile[]
  /** Components transpiled to JS once per content hash, reused at every start. */
  wasmCache: { hash: string; bytes: number }[]
}

// ---------- the list ----------

interface MethodDef<I extends z.ZodType, R> {
  input: I
  summary: string
  /** Phantom: carries the result type; never read at run time. */
  result?: R
}

function method<R>() {
  return <I extends z.ZodType>(input: I, summary: string): MethodDef<I, R> => ({ input, summary })
}

/**
 * Settings that name a program Worldbench runs or an engine socket it trusts. Over a socket
 * (web mode, the control socket) or from the renderer they can only be cleared (back to
 * discovery); a path is set by pickEngineBinary, which the desktop app answers with a file dialog
 * and a confirmation. Otherwise anyone who reaches the API could make `doctor` run their script.
 */
export const ENGINE_PATH_SETTINGS = ['vm.qemuBinary', 'container.socket'] as const

const NoInput = z.strictObject({}).optional()
const InstanceRef = z.strictObject({ id: z.string().min(1).max(200) })
const WorldRef = z.strictObject({
  world: z.string().min(1).max(4096).describe('Sample name or path to a world.yaml'),
})

const TermSession = z.string().min(1).max(100)
const TermCols = z.number().int().min(2).max(1000)
const TermRows = z.number().int().min(1).max(500)

export const methods = {
  doctor: method<DoctorReport>()(NoInput, 'Probe the three engines and report what works here'),
  kinds: method<KindInfo[]>()(
    NoInput,
    'Each kind of workload: its name, what its engine cannot measure, and its engine settings',
  ),
  getSettings: method<Settings>()(NoInput, 'Read all settings'),
  setSetting: method<Settings>()(
    z.strictObject({ key: z.string().regex(/^[a-zA-Z][\w.-]{0,99}$/), value: z.json() }),
    'Change one setting',
  ),
  pickEngineBinary: method<Settings>()(
    z.strictObject({ key: z.enum(ENGINE_PATH_SETTINGS) }),
    'Desktop app only: choose an engine program or socket with a file dialog and a confirmation',
  ),
  listWorlds: method<WorldSummary[]>()(NoInput, 'Sample worlds and worlds launched before'),
  validateWorld: method<ValidationResult>()(
    z.strictObject({ file: z.string().min(1).max(4096) }),
    'Check a world file without starting anything',
  ),
  addWorld: method<WorldSummary>()(
    z.strictObject({ file: z.string().min(1).max(4096) }),
    'Add a world file from disk to the list (validated; nothing starts)',
  ),
  checkWorldText: method<ValidationResult>()(
    z.strictObject({ name: z.string().min(1).max(255), text: z.string().max(262_144) }),
    'Check the text of a world file (as typed in an editor or picked in a browser) without saving it',
  ),
  uploadWorld: method<WorldSummary>()(
    z.strictObject({ name: z.string().min(1).max(255), text: z.string().max(262_144) }),
    "Keep a world file's text in the state dir (its relative paths resolve from there) and add it to the list",
  ),
  worldUp: method<WorldStatus>()(
    WorldRef,
    'Prepare and start a world; resolves when every workload is ready',
  ),
  trustWorld: method<{ file: string; sha256: string; scripts: string[] }>()(
    z.strictObject({
      world: z.string().min(1).max(4096),
      sha256: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .describe('The hash worldUp reported (WORLD_NOT_TRUSTED): what the person saw is what is trusted'),
    }),
    'Allow the scripts of a world file (prepare, vm.build, wasm.build) to run, as they are now',
  ),
  worldDown: method<{ stopped: number }>()(WorldRef, 'Stop a world in reverse dependency order'),
  listInstances: method<InstanceInfo[]>()(
    z
      .strictObject({
        includeExternal: z.boolean().default(false),
        includeStopped: z.boolean().optional().describe('Also stopped instances kept with their logs'),
      })
      .optional(),
    'Every instance, with its last sample',
  ),
  stopInstance: method<{ ok: true }>()(InstanceRef, 'Stop one instance'),
  restartInstance: method<InstanceInfo>()(InstanceRef, 'Stop and start one instance again'),
  startInstance: method<InstanceInfo>()(
    InstanceRef,
    "Start a stopped instance's workload again (a new instance replaces the stopped one)",
  ),
  removeInstance: method<{ ok: true }>()(InstanceRef, 'Forget a stopped instance and its logs'),
  activity: method<Activity>()(NoInput, 'Worlds starting or stopping and a bench run under way, now'),
  listArtifacts: method<Artifacts>()(
    NoInput,
    'Container images (size, age, used by), the VM and Wasm files instances run from, and the Wasm compile cache',
  ),
  removeImage: method<{ ok: true }>()(
    z.strictObject({ id: z.string().regex(/^sha256:[0-9a-f]{64}$/) }),
    'Remove a container image that no container uses',
  ),
  pruneImages: method<{ removed: number; bytes: number }>()(
    NoInput,
    'Remove dangling (untagged, unused) images',
  ),
  clearWasmCache: method<{ removed: number; bytes: number }>()(
    NoInput,
    'Delete the transpiled components; they are built again at their next start',
  ),
  terminalOpen: method<{ session: string; title: string }>()(
    z.strictObject({ id: z.string().min(1).max(200), cols: TermCols, rows: TermRows }),
    'Open an interactive terminal into a running instance (a shell in a container, a VM’s serial console); output comes as terminalOutput events',
  ),
  terminalInput: method<{ ok: true }>()(
    z.strictObject({ session: TermSession, data: z.string().max(65_536) }),
    'Type into a terminal',
  ),
  terminalResize: method<{ ok: true }>()(
    z.strictObject({ session: TermSession, cols: TermCols, rows: TermRows }),
    'Tell a terminal its new size',
  ),
  terminalClose: method<{ ok: true }>()(z.strictObject({ session: TermSession }), 'Close a terminal'),
  instanceLogs: method<LogLine[]>()(
    z.strictObject({ id: z.string().min(1).max(200), tail: z.number().int().min(1).max(10000).default(200) }),
    'The last log lines of an instance',
  ),
  followLogs: method<LogLine[]>()(
    z.strictObject({ id: z.string().min(1).max(200), tail: z.number().int().min(1).max(10000).default(200) }),
    'The last log lines of an instance; every later line comes as a log event. A service that runs the instances sends those for all of them anyway; one that only looks at the engines (no owner runs) reads this instance from its engine and sends every line, the last ones included, as log events, then logsEnded',
  ),
  benchRun: method<BenchReport>()(
    z.strictObject({
      world: z.string().min(1).max(4096),
      kinds: z
        .array(z.enum(['vm', 'container', 'wasm']))
        .min(1)
        .optional(),
      repeats: z.number().int().min(1).max(100).default(5),
      warmups: z.number().int().min(0).max(10).default(1),
      loadSeconds: z.number().min(0).max(600).default(5),
      idleSeconds: z.number().min(0).max(60).default(2),
      connections: z.number().int().min(1).max(256).default(8),
      density: z
        .strictObject({
          count: z.number().int().min(2).max(500),
          memoryBudgetMiB: z.number().int().min(1).optional(),
        })
        .optional()
        .describe(
          'Also start instances of each kind until this count or memory budget, for marginal memory per instance',
        ),
      direct: z
        .boolean()
        .optional()
        .describe(
          "Also start each kind directly with its engine, without Worldbench, and report Worldbench's overhead",
        ),
    }),
    'Benchmark a world: each kind × repeat, interleaved; resolves with the report (progress events while it runs)',
  ),
  benchList: method<BenchSummary[]>()(NoInput, 'Saved bench runs, newest first'),
  benchGet: method<BenchReport>()(z.strictObject({ id: z.string().min(1).max(200) }), 'One saved bench run'),
  instanceDetails: method<InstanceDetails>()(
    InstanceRef,
    'An instance, its workload definition, and for Wasm its inspected imports/exports or WIT world',
  ),
  inspectWasm: method<WasmInspectionInfo>()(
    z.strictObject({ file: z.string().min(1).max(4096) }),
    'Imports and exports (and WASI version) of a module, or the WIT world of a component',
  ),
  instanceSamples: method<Sample[]>()(
    z.strictObject({ id: z.string().min(1).max(200), sinceMs: z.number().int().min(0).optional() }),
    'The sample history of an instance',
  ),
}

export type Methods = typeof methods
export type MethodName = keyof Methods
export type MethodInput<M extends MethodName> = z.input<Methods[M]['input']>
export type MethodParams<M extends MethodName> = z.output<Methods[M]['input']>
export type MethodResult<M extends MethodName> = NonNullable<Methods[M]['result']>

export const methodNames = Object.keys(methods) as MethodName[]

/** What the renderer and every client call: one async function per method. */
export type WorldbenchApi = {
  [M in MethodName]: (input?: MethodInput<M>) => Promise<MethodResult<M>>
} & {
  on<E extends EventName>(event: E, listener: (data: EventMap[E]) => void): () => void
}

/** What the service implements: one handler per method, given already-validated input. */
export type Handlers = { [M in MethodName]: (params: MethodParams<M>) => Promise<MethodResult<M>> }

// ---------- events ----------

export interface EventMap {
  instance: InstanceInfo
  instanceRemoved: { id: string }
  samples: SamplesTick
  progress: ProgressInfo
  log: { id: string; line: LogLine }
  /** The log of an instance that followLogs read from its engine ended (the instance stopped). */
  logsEnded: { id: string }
  /** A stopped instance was removed (by the user, or because its workload runs again). */
  instanceForgotten: { id: string }
  activity: Activity
  terminalOutput: { session: string; data: string }
  terminalExit: { session: string; reason?: string }
}
export type EventName = keyof EventMap

// ---------- wire format (WebSocket and control socket) ----------

export type WireRequest = { id: number; method: string; params?: unknown }
export type WireResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: ErrorShape }
export type WireEvent = { event: EventName; data: unknown }

/** Electron IPC channel names, derived from the list. */
export const ipcChannel = (m: MethodName) => `worldbench:${m}`
export const ipcEventChannel = 'worldbench:event'
