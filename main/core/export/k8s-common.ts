import type { ReadySpec } from '../readiness.ts'
import { resolveRefs } from '../world/refs.ts'
import type { Workload, World } from '../world/schema.ts'

export type K8sObject = Record<string, unknown> & { apiVersion: string; kind: string }

/** SpinKube (SpinApp) or runwasi (a Deployment with a Wasm runtimeClassName) for Wasm workloads. */
export type WasmTarget = 'spinkube' | 'runwasi'

export interface ExportContext {
  world: World
  wasm: WasmTarget
  /** What the manifests cannot say, for the person applying them. */
  notes: string[]
}

/** The port a workload's Service answers on: SpinKube's Service for a SpinApp listens on 80. */
export function servicePort(ctx: ExportContext, w: Workload): number | undefined {
  if (w.kind === 'wasm' && ctx.wasm === 'spinkube') return 80
  return w.ports[0]?.guest
}

export const labelsOf = (w: Workload) => ({
  'app.kubernetes.io/name': w.name,
  'app.kubernetes.io/part-of': w.world,
  'app.kubernetes.io/managed-by': 'worldbench',
})

export const selectorOf = (w: Workload) => ({ 'app.kubernetes.io/name': w.name })

export const metadataOf = (w: Workload, name = w.name) => ({ name, labels: labelsOf(w) })

/** The in-cluster URL of a workload: its Service's DNS name and first port. */
export function clusterUrl(ctx: ExportContext, name: string): string | undefined {
  const dep = ctx.world.workloads.find((w) => w.name === name)
  const port = dep && servicePort(ctx, dep)
  return port === undefined ? undefined : `http://${name}:${port}`
}

/** Env values with ${workloads.NAME.url} pointing at the dependency's Service instead of 127.0.0.1. */
export function clusterEnv(ctx: ExportContext, w: Workload): { name: string; value: string }[] {
  return Object.entries(w.env).map(([name, value]) => ({ name, value: clusterValue(ctx, w, value) }))
}

export const clusterValue = (ctx: ExportContext, w: Workload, value: string) =>
  resolveRefs(value, w.name, (dep) => clusterUrl(ctx, dep))

export function serviceFor(w: Workload): K8sObject | undefined {
  if (w.ports.length === 0) return undefined
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadataOf(w),
    spec: {
      selector: selectorOf(w),
      ports: w.ports.map((p) => ({
        name: `tcp-${p.guest}`,
        port: p.guest,
        targetPort: p.guest,
        protocol: 'TCP',
      })),
    },
  }
}

/** A Kubernetes probe from a workload's `ready`; a log-line probe has no Kubernetes equivalent. */
export function probeOf(
  w: Workload,
  ready: ReadySpec | undefined = w.ready,
): Record<string, unknown> | undefined {
  if (!ready) return undefined
  const port = w.ports[0]?.guest
  const periodSeconds = Math.max(1, Math.round(ready.intervalSeconds ?? 2))
  const failureThreshold = Math.max(3, Math.ceil(ready.timeoutSeconds / periodSeconds))
  const timing = { periodSeconds, failureThreshold }
  if (ready.command) return { exec: { command: ready.command }, ...timing }
  if (ready.http !== undefined && port !== undefined)
    return { httpGet: { path: ready.http, port }, ...timing }
  if (ready.tcp && port !== undefined) return { tcpSocket: { port }, ...timing }
  return undefined
}

const WAIT_IMAGE = 'busybox:1.36'

/** dependsOn: one init container per dependency, waiting until its Service accepts connections. */
export function waitForDependencies(ctx: ExportContext, w: Workload): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = []
  for (const name of w.dependsOn) {
    const dep = ctx.world.workloads.find((d) => d.name === name)
    const port = dep && servicePort(ctx, dep)
    if (port === undefined) {
      ctx.notes.push(
        `${w.name}: dependency "${name}" has no port, so there is no Service to wait for; it starts at once`,
      )
      continue
    }
    out.push({
      name: `wait-for-${name}`,
      image: WAIT_IMAGE,
      command: [
        'sh',
        '-c',
        `until nc -z -w 2 ${name} ${port}; do echo waiting for ${name}:${port}; sleep 1; done`,
      ],
    })
  }
  return out
}

export const mebibytes = (mib: number) => `${mib}Mi`
