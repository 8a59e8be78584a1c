import type { Workload } from '../world/schema.ts'
import {
  clusterEnv,
  type ExportContext,
  type K8sObject,
  labelsOf,
  mebibytes,
  metadataOf,
  probeOf,
  selectorOf,
  serviceFor,
  waitForDependencies,
} from './k8s-common.ts'

/** The container spec a Deployment runs for a workload: image, argv, env, ports, limits, probe. */
export function containerSpec(ctx: ExportContext, w: Workload, image: string, built: boolean) {
  const c = w.container!
  const args = [...(c.command ?? []), ...w.args]
  const limits: Record<string, string> = {}
  if (w.limits.memoryMiB) limits.memory = mebibytes(w.limits.memoryMiB)
  if (w.limits.cpus) limits.cpu = String(w.limits.cpus)
  const probe = probeOf(w)
  if (w.ready?.log !== undefined)
    ctx.notes.push(`${w.name}: a log-line readiness probe has no Kubernetes equivalent`)
  return {
    name: w.name,
    image,
    // An image built here and not pushed can still be loaded into a local cluster (kind load docker-image).
    ...(built && { imagePullPolicy: 'IfNotPresent' }),
    ...(c.entrypoint && { command: c.entrypoint }),
    ...(args.length && { args }),
    ...(Object.keys(w.env).length && { env: clusterEnv(ctx, w) }),
    ...(w.ports.length && { ports: w.ports.map((p) => ({ containerPort: p.guest, protocol: 'TCP' })) }),
    ...(Object.keys(limits).length && { resources: { limits, requests: limits } }),
    ...(probe && { readinessProbe: probe }),
  }
}

/** A container workload: a Deployment, a Service for its ports, a PersistentVolumeClaim per named volume. */
export function containerObjects(
  ctx: ExportContext,
  w: Workload,
  image: string,
  built: boolean,
): K8sObject[] {
  const notes = ctx.notes
  const container: Record<string, unknown> = containerSpec(ctx, w, image, built)
  const volumes: Record<string, unknown>[] = []
  const mounts: Record<string, unknown>[] = []
  const claims: K8sObject[] = []
  for (const [i, v] of (w.container!.volumes ?? []).entries()) {
    const name = `vol-${i}`
    if (v.type === 'bind') {
      notes.push(
        `${w.name}: bind mount ${v.source} → ${v.target} is left out: a cluster has no such host folder; bake the files into the image or use a ConfigMap`,
      )
      continue
    }
    mounts.push({ name, mountPath: v.target, ...(v.readOnly && { readOnly: true }) })
    if (v.source === undefined) {
      volumes.push({ name, emptyDir: {} })
      continue
    }
    const claim = `${w.world}-${v.source}`
    volumes.push({ name, persistentVolumeClaim: { claimName: claim } })
    if (!claims.some((c) => (c.metadata as { name: string }).name === claim))
      claims.push({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: claim, labels: labelsOf(w) },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      })
  }
  if (mounts.length) container.volumeMounts = mounts
  if (w.run === 'once')
    notes.push(
      `${w.name}: "run: once" is written as a Deployment, which Kubernetes restarts when it exits; make it a Job (or an init container of what depends on it) before applying`,
    )
  else if (w.restart === 'no')
    notes.push(
      `${w.name}: restart "no" has no Deployment equivalent; Kubernetes restarts it (restartPolicy Always)`,
    )
  const service = serviceFor(w)
  return [
    deploymentOf(ctx, w, container, volumes.length ? { volumes } : {}),
    ...(service ? [service] : []),
    ...claims,
  ]
}

/** One replica of one container, after init containers that wait for its dependencies. */
export function deploymentOf(
  ctx: ExportContext,
  w: Workload,
  container: Record<string, unknown>,
  podSpec: Record<string, unknown>,
): K8sObject {
  const init = waitForDependencies(ctx, w)
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadataOf(w),
    spec: {
      replicas: 1,
      selector: { matchLabels: selectorOf(w) },
      template: {
        metadata: { labels: labelsOf(w) },
        spec: { ...podSpec, ...(init.length && { initContainers: init }), containers: [container] },
      },
    },
  }
}
