import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { checkComposeText } from '../../main/core/compose/load.ts'
import type { K8sObject } from '../../main/core/export/k8s-common.ts'
import { worldToKubernetes } from '../../main/core/export/kubernetes.ts'
import { worldToCompose } from '../../main/core/export/to-compose.ts'
import { worldToFile } from '../../main/core/export/to-world-file.ts'
import { sampleWorldFiles } from '../../main/core/world/catalog.ts'
import { checkWorldText, loadWorld } from '../../main/core/world/load.ts'
import type { World } from '../../main/core/world/schema.ts'
import { CRD_DIR, k8sProblems } from './k8s-validate.ts'

const COMPOSE = join(import.meta.dirname, '..', 'fixtures', 'compose', 'app', 'compose.yaml')
const NETWORKS = join(import.meta.dirname, '..', 'fixtures', 'compose', 'networks', 'compose.yaml')
type Obj = Record<string, unknown>
const composeWorld = () => checkComposeText(COMPOSE, readFileSync(COMPOSE, 'utf8'), {}).world!

const all = (files: { objects: K8sObject[] }[]) => files.flatMap((f) => f.objects)
// biome-ignore lint/suspicious/noExplicitAny: the tests read deep into manifests the schemas have already checked
type Manifest = K8sObject & { spec: Record<string, any> }
const find = (objs: K8sObject[], kind: string, name: string) =>
  objs.find((o) => o.kind === kind && (o.metadata as { name: string }).name === name) as Manifest | undefined

describe('Kubernetes out: every object passes the official schemas', () => {
  it('has the CRD schemas it validates against', () => {
    expect(existsSync(join(CRD_DIR, 'kubevirt.io_v1_VirtualMachine.json')), CRD_DIR).toBe(true)
  })

  const worlds: [string, () => Promise<World>][] = [
    ...[...sampleWorldFiles()].map(([name, file]): [string, () => Promise<World>] => [
      name,
      () => loadWorld(file),
    ]),
    ['compose fixture', async () => composeWorld()],
  ]
  for (const [name, load] of worlds)
    for (const wasm of ['spinkube', 'runwasi'] as const)
      it(`${name}, Wasm on ${wasm}`, async () => {
        const result = worldToKubernetes(await load(), { wasm })
        const objects = all(result.files)
        expect(objects.length).toBeGreaterThan(0)
        for (const o of objects) expect(k8sProblems(o), `${o.kind} ${JSON.stringify(o.metadata)}`).toEqual([])
      })

  it('the validators do reject a wrong object (an unknown VM field, a SpinApp with no executor, a bad Deployment)', () => {
    expect(
      k8sProblems({
        apiVersion: 'kubevirt.io/v1',
        kind: 'VirtualMachine',
        spec: { runStratgy: 'Always', template: { spec: { domain: { devices: {} } } } },
      } as K8sObject),
    ).not.toEqual([])
    expect(
      k8sProblems({
        apiVersion: 'core.spinkube.dev/v1alpha1',
        kind: 'SpinApp',
        metadata: { name: 'x' },
        spec: { image: 'x' },
      } as K8sObject),
    ).not.toEqual([])
    expect(
      k8sProblems({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'x' },
        spec: { selector: {}, template: { spec: { containers: [{ image: 'x' }] } } },
      } as K8sObject),
    ).not.toEqual([])
  })
})

describe('Kubernetes out: what each kind becomes', () => {
  it('hello-trio: a Deployment with probe and limits, a kernel-boot VirtualMachine, a WAGI SpinApp', async () => {
    const world = await loadWorld(sampleWorldFiles().get('hello-trio')!)
    const r = worldToKubernetes(world, { registry: 'registry.example.com/team' })
    const objs = all(r.files)
    const c = find(objs, 'Deployment', 'hello-container')!.spec.template.spec.containers[0]
    expect(c.image).toBe('registry.example.com/team/worldbench/hello-trio:1')
    expect(c.readinessProbe.httpGet).toEqual({ path: '/', port: 8080 })
    expect(c.resources.limits).toEqual({ memory: '64Mi' })
    expect(find(objs, 'Service', 'hello-container')!.spec.ports[0].port).toBe(8080)

    const vm = find(objs, 'VirtualMachine', 'hello-vm')!.spec
    expect(vm.runStrategy).toBe('Once')
    expect(vm.template.spec.domain.memory.guest).toBe('128Mi')
    expect(vm.template.spec.domain.firmware.kernelBoot.container).toMatchObject({
      image: 'registry.example.com/team/worldbench/hello-trio-hello-vm-boot:1',
      kernelPath: '/boot/vmlinuz',
      initrdPath: '/boot/initrd.img',
    })
    expect(find(objs, 'Service', 'hello-vm')!.spec.ports[0].port).toBe(80)

    expect(find(objs, 'SpinApp', 'hello-wasm')!.spec).toMatchObject({
      executor: 'containerd-shim-spin',
      resources: { limits: { memory: '64Mi' } },
    })
    expect(find(objs, 'SpinAppExecutor', 'containerd-shim-spin')).toBeDefined()
    expect(r.spinApps[0]!.manifest).toContain('executor = { type = "wagi" }')

    // What must be pushed, and how: the built container image is tagged for the registry.
    expect(r.images.map((i) => [i.workload, i.what])).toEqual([
      ['hello-wasm', 'Spin app'],
      ['hello-container', 'container image'],
      ['hello-vm', 'kernel containerDisk'],
    ])
    expect(r.images[1]!.steps[0]).toEqual(['docker', 'tag', 'worldbench/hello-trio:1', c.image])
  })

  it('edge-filter: a wasi:http component calls its backend through the Service, not 127.0.0.1', async () => {
    const world = await loadWorld(sampleWorldFiles().get('edge-filter')!)
    const spin = worldToKubernetes(world)
    expect(spin.spinApps[0]!.manifest).toContain('allowed_outbound_hosts = ["http://backend:8080"]')
    expect(spin.spinApps[0]!.manifest).not.toContain('wagi')
    // Under runwasi the dependency becomes an init container waiting on the backend's Service.
    const objs = all(worldToKubernetes(world, { wasm: 'runwasi' }).files)
    const pod = find(objs, 'Deployment', 'filter')!.spec.template.spec
    expect(pod.runtimeClassName).toBe('wasmtime')
    expect(pod.initContainers[0].command.join(' ')).toContain('nc -z -w 2 backend 8080')
    expect(pod.containers[0].env).toEqual([{ name: 'BACKEND_URL', value: 'http://backend:8080' }])
  })

  it('a Compose project: health check → exec probe, depends_on → init container, named volume → claim, bind mount → a note', () => {
    const r = worldToKubernetes(composeWorld())
    const objs = all(r.files)
    const api = find(objs, 'Deployment', 'api')!.spec.template.spec
    expect(api.containers[0].readinessProbe.exec.command[0]).toBe('/bin/busybox')
    expect(api.containers[0].command).toEqual(['/bin/busybox'])
    expect(api.volumes).toEqual([
      { name: 'vol-1', persistentVolumeClaim: { claimName: 'compose-app-cache' } },
    ])
    expect(find(objs, 'PersistentVolumeClaim', 'compose-app-cache')).toBeDefined()
    expect(find(objs, 'Deployment', 'web')!.spec.template.spec.initContainers[0].name).toBe('wait-for-api')
    expect(r.notes.join('\n')).toMatch(/bind mount .*data → \/www\/data is left out/)
  })
})

describe('Compose out and world files: round trips', () => {
  it('compose → world → compose → world gives the same workloads', () => {
    const world = composeWorld()
    const { compose } = worldToCompose(world, world.dir)
    const again = checkComposeText(COMPOSE, stringify(compose), {})
    expect(again.issues).toEqual([])
    expect(again.world!.name).toBe(world.name)
    expect(again.world!.workloads).toEqual(world.workloads)
  })

  it('compose → world file (worldbench import) → world gives the same workloads', () => {
    const world = composeWorld()
    const file = join(world.dir, 'world.yaml')
    const again = checkWorldText(file, stringify(worldToFile(world, world.dir)))
    expect(again.issues).toEqual([])
    expect(again.world!.workloads).toEqual(world.workloads)
  })

  it('every sample world survives world → world file → world', async () => {
    for (const file of sampleWorldFiles().values()) {
      const world = await loadWorld(file)
      const again = checkWorldText(file, stringify(worldToFile(world, world.dir)))
      expect(again.issues, file).toEqual([])
      expect(again.world!.workloads).toEqual(world.workloads)
    }
  })

  it('a run-once step goes out as service_completed_successfully and comes back as run: once', () => {
    const text = `services:
  migrate: { image: shop/migrate:1 }
  api:
    image: shop/api:1
    depends_on: { migrate: { condition: service_completed_successfully } }
`
    const world = checkComposeText(COMPOSE, text, {}).world!
    const { compose } = worldToCompose(world, world.dir)
    expect(
      (compose as { services: Record<string, { depends_on?: unknown }> }).services.api!.depends_on,
    ).toEqual({
      migrate: { condition: 'service_completed_successfully' },
    })
    const again = checkComposeText(COMPOSE, stringify(compose), {}).world!
    expect(again.workloads).toEqual(world.workloads)
    expect(again.workloads[0]!.run).toBe('once')
    const file = join(world.dir, 'world.yaml')
    expect(checkWorldText(file, stringify(worldToFile(world, world.dir))).world!.workloads).toEqual(
      world.workloads,
    )
    expect(worldToKubernetes(world).notes.join('\n')).toMatch(/migrate: "run: once" .* make it a Job/)
  })

  it('compose → world → compose keeps networks and aliases; Kubernetes notes what a cluster does not separate', () => {
    const text = readFileSync(NETWORKS, 'utf8')
    const world = checkComposeText(NETWORKS, text, {}).world!
    const { compose } = worldToCompose(world, world.dir)
    const out = compose as { services: Record<string, { networks?: unknown }>; networks?: Obj }
    expect(out.networks).toEqual({ front: {}, back: { internal: true } })
    expect(out.services.proxy!.networks).toEqual({ front: {}, back: { aliases: ['gateway'] } })
    expect(out.services.db!.networks).toEqual({ back: { aliases: ['database'] } })
    expect(out.services.web!.networks).toEqual(['front'])
    const again = checkComposeText(NETWORKS, stringify(compose), {})
    expect(again.issues).toEqual([])
    expect(again.world!.workloads).toEqual(world.workloads)
    expect(again.world!.networks).toEqual({ back: { internal: true } })
    // And through a world file (worldbench import), networks and aliases as the world format says them.
    const file = join(world.dir, 'world.yaml')
    const asFile = stringify(worldToFile(world, world.dir))
    expect(asFile).toContain('- name: back\n')
    expect(asFile).toContain('networks:\n  back:\n    internal: true\n')
    const fromFile = checkWorldText(file, asFile).world!
    expect(fromFile.workloads).toEqual(world.workloads)
    expect(fromFile.networks).toEqual(world.networks)
    const notes = worldToKubernetes(world).notes.join('\n')
    expect(notes).toMatch(
      /networks front, back: .*proxy on front\+back, db on back, web on front.* NetworkPolicies/,
    )
    expect(notes).toMatch(/db: aliases database on network back have no Service/)
    expect(notes).toMatch(/internal network back: .*egress NetworkPolicy.* for db$/m)
  })

  it('a world on the default network alone writes no networks (Compose puts services there itself)', () => {
    const { compose } = worldToCompose(composeWorld(), composeWorld().dir)
    expect(compose.networks).toBeUndefined()
    expect((compose.services as Record<string, Obj>).api!.networks).toBeUndefined()
    expect(worldToKubernetes(composeWorld()).notes.join('\n')).not.toMatch(/NetworkPolicies/)
  })

  it('refuses Compose for a world with VMs or Wasm, naming them', async () => {
    const world = await loadWorld(sampleWorldFiles().get('hello-trio')!)
    expect(() => worldToCompose(world, world.dir)).toThrow(/hello-wasm \(wasm\), hello-vm \(vm\)/)
  })
})
