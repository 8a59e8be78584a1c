import { basename } from 'node:path'
import type { Workload } from '../world/schema.ts'
import {
  clusterEnv,
  clusterValue,
  type ExportContext,
  type K8sObject,
  mebibytes,
  metadataOf,
  serviceFor,
} from './k8s-common.ts'
import { deploymentOf } from './k8s-container.ts'

/** The executor spin-operator's Helm chart installs; containerd-shim-spin runs the app on each node. */
export const SPIN_EXECUTOR = 'containerd-shim-spin'

/** The SpinAppExecutor that SpinApps name, for clusters where it is not installed yet. */
export function spinExecutor(): K8sObject {
  return {
    apiVersion: 'core.spinkube.dev/v1alpha1',
    kind: 'SpinAppExecutor',
    metadata: { name: SPIN_EXECUTOR },
    spec: { createDeployment: true, deploymentConfig: { runtimeClassName: 'wasmtime-spin-v2' } },
  }
}

/**
 * A Wasm workload on SpinKube: a SpinApp whose image is a Spin app (spin.toml + modules). CGI
 * modules run under Spin's WAGI executor; wasi:http components under the HTTP trigger.
 */
export function spinAppObjects(ctx: ExportContext, w: Workload, image: string): K8sObject[] {
  const probePath = w.ready?.http
  if (w.wasm!.serve === 'command')
    ctx.notes.push(
      `${w.name}: a command module has no HTTP trigger; SpinKube cannot serve it (try --wasm runwasi)`,
    )
  if (w.dependsOn.length)
    ctx.notes.push(
      `${w.name}: a SpinApp cannot wait for ${w.dependsOn.join(', ')}; it retries its outbound calls instead`,
    )
  return [
    {
      apiVersion: 'core.spinkube.dev/v1alpha1',
      kind: 'SpinApp',
      metadata: metadataOf(w),
      spec: {
        image,
        executor: SPIN_EXECUTOR,
        replicas: 1,
        ...(w.limits.memoryMiB && { resources: { limits: { memory: mebibytes(w.limits.memoryMiB) } } }),
        ...(probePath !== undefined && { checks: { readiness: { httpGet: { path: probePath } } } }),
      },
    },
  ]
}

/** The spin.toml of a workload's Spin app; its files sit beside it under their base names. */
export function spinManifest(ctx: ExportContext, w: Workload): string {
  const wasm = w.wasm!
  const id = w.name
  const q = (s: string) => JSON.stringify(s)
  const lines = [
    'spin_manifest_version = 2',
    '',
    '[application]',
    `name = ${q(id)}`,
    'version = "1.0.0"',
    '',
    '[[trigger.http]]',
    'route = "/..."',
    `component = ${q(id)}`,
    ...(wasm.serve === 'cgi' ? ['executor = { type = "wagi" }'] : []),
    '',
    `[component.${id}]`,
    `source = ${q(basename(wasm.module))}`,
    `allowed_outbound_hosts = [${wasm.allowHttp.map((o) => q(clusterValue(ctx, w, o))).join(', ')}]`,
  ]
  const env = clusterEnv(ctx, w)
  if (env.length) lines.push(`environment = { ${env.map((e) => `${q(e.name)} = ${q(e.value)}`).join(', ')} }`)
  if (wasm.dirs.length)
    lines.push(
      `files = [${wasm.dirs.map((d) => `{ source = ${q(basename(d.host))}, destination = ${q(d.guest)} }`).join(', ')}]`,
    )
  const links = Object.entries(wasm.link)
  if (links.length) {
    lines.push('', `[component.${id}.dependencies]`)
    for (const [iface, path] of links) lines.push(`${q(iface)} = { path = ${q(basename(path))} }`)
  }
  return `${lines.join('\n')}\n`
}

/** The files a workload's Spin app is made of: its module, linked components and preopened folders. */
export function spinFiles(w: Workload): string[] {
  const wasm = w.wasm!
  return [wasm.module, ...Object.values(wasm.link), ...wasm.dirs.map((d) => d.host)]
}

/**
 * A Wasm workload under runwasi: a Deployment whose pods run with a Wasm runtimeClassName, from an
 * OCI image holding the module as its entrypoint. The module must serve HTTP itself.
 */
export function runwasiObjects(
  ctx: ExportContext,
  w: Workload,
  image: string,
  runtimeClass: string,
): K8sObject[] {
  const wasm = w.wasm!
  if (wasm.serve === 'cgi')
    ctx.notes.push(
      `${w.name}: runwasi runs a module as a process, so a CGI module does not serve HTTP there; use SpinKube (the default)`,
    )
  if (Object.keys(wasm.link).length)
    ctx.notes.push(
      `${w.name}: linked components must be composed into one (wac plug) before runwasi can run them`,
    )
  const limits = w.limits.memoryMiB ? { memory: mebibytes(w.limits.memoryMiB) } : undefined
  const container = {
    name: w.name,
    image,
    imagePullPolicy: 'IfNotPresent',
    ...(Object.keys(w.env).length && { env: clusterEnv(ctx, w) }),
    ...(w.ports.length && { ports: w.ports.map((p) => ({ containerPort: p.guest, protocol: 'TCP' })) }),
    ...(limits && { resources: { limits, requests: limits } }),
  }
  const service = serviceFor(w)
  return [deploymentOf(ctx, w, container, { runtimeClassName: runtimeClass }), ...(service ? [service] : [])]
}
