import { execFileSync } from 'node:child_process'
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Docker from 'dockerode'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WorldbenchError } from '../../main/core/errors.ts'
import { sleep } from '../../main/core/readiness.ts'
import type { ProgressEvent } from '../../main/core/runtime.ts'
import { type Workload, WorkloadSchema } from '../../main/core/world/schema.ts'
import { ContainerRuntime } from '../../main/runtimes/container/index.ts'
import { requireEngine } from './engines.ts'
import { answered } from './helpers.ts'
import { IsolatedPodman, podmanInstalled } from './isolated-podman.ts'

const root = join(import.meta.dirname, '..', '..')
const tag = 'worldbench/hello-trio:1'
const world = `ptest${process.pid}`
const podman = new IsolatedPodman()
let ctx: string
let rt: ContainerRuntime

function workload(): Workload {
  return {
    ...WorkloadSchema.parse({
      name: 'hello',
      kind: 'container',
      ports: [{ guest: 8080 }],
      args: ['-vv'],
      limits: { memoryMiB: 64 },
      ready: { http: '/' },
      container: { image: tag, build: ctx },
    }),
    world,
  }
}

const labelled = () =>
  podman.podman('ps', '-aq', '--filter', `label=io.worldbench.world=${world}`).split('\n').filter(Boolean)

/** Podman's own memory number for a container (cgroup usage, page cache included). */
async function rawUsage(cid: string): Promise<number> {
  const s = (await new Docker({ socketPath: podman.socket }).getContainer(cid).stats({ stream: false })) as {
    memory_stats?: { usage?: number }
  }
  return s.memory_stats?.usage ?? 0
}

beforeAll(async () => {
  requireEngine('Podman', podmanInstalled(), 'apt-get install podman catatonit')
  ctx = mkdtempSync(join(tmpdir(), 'wb-pctx-'))
  cpSync(join(root, 'resources/worlds/hello-trio/container/Dockerfile'), join(ctx, 'Dockerfile'))
  execFileSync('bash', [join(root, 'scripts/build-container-context.sh'), ctx], { stdio: 'ignore' })
  await podman.up()
  rt = new ContainerRuntime({ socketPath: podman.socket })
}, 30_000)

afterAll(async () => {
  await rt?.close()
  const left = podman.socket && rt ? labelled() : []
  await podman.down()
  if (ctx) rmSync(ctx, { recursive: true, force: true })
  expect(left).toEqual([])
})

describe('container runtime on Podman (Docker-compatible socket)', () => {
  it('probes the socket and names it Podman', async () => {
    const s = await rt.probe()
    expect(s.available).toBe(true)
    expect(s.engine).toMatch(/^Podman \d+\.\d+/)
    expect(s.details.flavor).toBe('podman')
    expect(s.details.socket).toBe(`unix://${podman.socket}`)
  })

  it('builds FROM scratch offline through /build with step progress, then finds the image locally', async () => {
    const steps: ProgressEvent[] = []
    const a = await rt.prepare(workload(), (p) => steps.push(p))
    expect(a.ref).toMatch(/^sha256:/)
    expect(a.bytes).toBeGreaterThan(1_000_000)
    // Buildah's "STEP 2/4: COPY …" counts as a step like Docker's "Step 2/4 : COPY …".
    expect(steps.some((s) => /^STEP 2\/4: COPY/.test(s.message ?? '') && s.percent === 25)).toBe(true)
    const again: ProgressEvent[] = []
    expect((await rt.prepare(workload(), (p) => again.push(p))).ref).toBe(a.ref)
    expect(again.some((s) => s.step === 'build')).toBe(false)
  })

  it('starts on 127.0.0.1, answers 200, samples memory without page cache, logs, is adopted and stopped', async () => {
    const w = workload()
    const i = await rt.start(w, await rt.prepare(w, () => {}))
    const cid = i.handle.containerId!
    const fresh = new ContainerRuntime({ socketPath: podman.socket })
    try {
      const port = i.ports[0]!
      expect(port.bind).toBe('127.0.0.1')
      const res = await answered(`http://127.0.0.1:${port.host}/?from=podman`)
      expect(res.status).toBe(200)
      expect(res.body).toContain('query: from=podman')

      const s1 = await rt.sample(i)
      await sleep(1100)
      const s2 = await rt.sample(i)
      expect(s1.memoryBytes).toBeGreaterThan(0)
      // Podman's compatible /stats would repeat one reading for 5 s; these are 1 s apart.
      expect(s2.t).toBeGreaterThan(s1.t)
      expect(s2.netRxBytes).toBeGreaterThan(0)
      expect(s2.guestMemoryBytes).toBe(64 * 1024 * 1024)
      // Podman's counterpart of Docker's shim is conmon: counted in the container's cost.
      const conmon = s2.parts?.find((p) => p.name === 'conmon')
      expect(conmon?.pid).toBeGreaterThan(0)
      expect(s2.memoryBytes).toBe(s2.parts!.reduce((a, p) => a + p.memoryBytes, 0))

      // 24 MiB written inside the container is page cache charged to it: Podman counts it, and
      // Worldbench, like `docker stats`, does not (the kernel can drop it at once).
      podman.podman('exec', cid, '/bin/busybox', 'dd', 'if=/dev/zero', 'of=/cache', 'bs=1M', 'count=24')
      await sleep(1100)
      const after = await rt.sample(i)
      const raw = await rawUsage(cid)
      console.log('DBG', raw, after)
      expect(raw - after.memoryBytes).toBeGreaterThan(16 * 1024 * 1024)
      expect(after.memoryBytes).toBeGreaterThan(0)
      expect(after.memoryBytes).toBeLessThan(16 * 1024 * 1024)

      const lines = []
      for await (const l of rt.logs(i, { tail: 50 })) lines.push(l)
      expect(lines.some((l) => l.stream === 'stderr' && l.line.includes('url:/'))).toBe(true)
      expect(lines.every((l) => Math.abs(l.t - Date.now()) < 60_000)).toBe(true)

      const adopted = (await fresh.adopt()).find((a) => a.id === i.id)
      expect(adopted).toMatchObject({
        world,
        workload: 'hello',
        state: 'running',
        handle: { containerId: cid },
      })
      expect(adopted!.ports).toEqual(i.ports)
      expect((await answered(adopted!.ports[0]!.url)).status).toBe(200)
      const t0 = performance.now()
      await fresh.stop(adopted!, { timeoutMs: 5000 })
      // catatonit as PID 1 passes SIGTERM on: no waiting out the grace period.
      expect(performance.now() - t0).toBeLessThan(3000)
      expect(labelled()).toEqual([])
      expect((await fresh.adopt()).find((a) => a.id === i.id)).toBeUndefined()
    } finally {
      await fresh.close()
      await rt.stop(i, { timeoutMs: 1000 })
    }
  })
})

describe('container runtime errors on Podman', () => {
  it('a failing Dockerfile shows the failing Buildah step and its output', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'wb-pbad-'))
    try {
      writeFileSync(
        join(bad, 'Dockerfile'),
        `FROM ${tag}\nRUN ["/bin/busybox", "sh", "-c", "echo about to fail; exit 3"]\n`,
      )
      const w = {
        ...workload(),
        container: { image: `worldbench/pbad:${process.pid}`, build: bad, init: true },
      }
      const err = await rt
        .prepare(w, () => {})
        .then(
          () => undefined,
          (e: unknown) => e,
        )
      expect(err).toBeInstanceOf(WorldbenchError)
      const e = err as WorldbenchError
      expect(e.code).toBe('BUILD_FAILED')
      expect(e.message).toMatch(/STEP 2\/2: RUN/)
      expect(e.hint).toContain('about to fail')
    } finally {
      rmSync(bad, { recursive: true, force: true })
    }
  })

  it('a container that exits at once: exit code, last log lines, removed', async () => {
    const w = { ...workload(), args: ['--no-such-flag'] }
    const i = await rt.start(w, await rt.prepare(w, () => {}))
    const err = await rt.exited(i)
    await rt.stop(i)
    expect(err).toBeInstanceOf(WorldbenchError)
    expect((err as WorldbenchError).message).toMatch(/exited at once with code 1/)
    expect(labelled()).toEqual([])
  })
})

describe('world networks on Podman', () => {
  /** A GET from inside a container by another's name: the body, or the error busybox wget printed. */
  const getFrom = (cid: string, url: string) => {
    try {
      return { ok: true, out: podman.podman('exec', cid, '/bin/busybox', 'wget', '-q', '-O', '-', url) }
    } catch (err) {
      return { ok: false, out: String((err as { stderr?: Buffer }).stderr ?? err) }
    }
  }
  const on = (name: string, networks: unknown[], worldNetworks?: Workload['worldNetworks']): Workload => ({
    ...WorkloadSchema.parse({ name, kind: 'container', container: { image: tag, networks } }),
    world,
    ...(worldNetworks && { worldNetworks }),
  })

  it('a container on front and back reaches one on back by name and alias; one on front alone cannot', async () => {
    const proxy = on('proxy', ['front', 'back'])
    const a = await rt.prepare(proxy, () => {})
    const started = [
      await rt.start(proxy, a),
      await rt.start(on('db', [{ name: 'back', aliases: ['database'] }]), a),
      await rt.start(on('web', ['front']), a),
    ]
    try {
      const [p, , web] = started.map((i) => i.handle.containerId!)
      // The proxy's first answer may wait for the db's httpd to listen: ask until it does.
      const deadline = Date.now() + 60_000
      let reached = getFrom(p!, 'http://db:8080/')
      while (!reached.ok && Date.now() < deadline) {
        await sleep(200)
        reached = getFrom(p!, 'http://db:8080/')
      }
      expect(reached.ok, reached.out).toBe(true)
      expect(getFrom(p!, 'http://database:8080/').ok).toBe(true)
      const blocked = getFrom(web!, 'http://db:8080/')
      expect(blocked.ok).toBe(false)
      expect(blocked.out).toMatch(/bad address/)
    } finally {
      for (const i of started) await rt.stop(i, { timeoutMs: 1000 })
    }
    expect(labelled()).toEqual([])
    expect(
      podman
        .podman('network', 'ls', '--format', '{{.Name}}')
        .split('\n')
        .filter((n) => n.startsWith(world)),
    ).toEqual([])
  })

  // Only what Podman was asked for: traffic inside an internal network is not tried here, because
  // on a machine that also runs Docker, Docker's FORWARD policy (DROP) stops it (see the README).
  it('makes a network the world calls internal an internal Podman network', async () => {
    const w = on('db', ['back'], { back: { internal: true } })
    const db = await rt.start(w, await rt.prepare(w, () => {}))
    try {
      expect(podman.podman('network', 'inspect', '-f', '{{.Internal}}', `${world}_back`).trim()).toBe('true')
    } finally {
      await rt.stop(db, { timeoutMs: 1000 })
    }
    expect(podman.podman('network', 'ls', '--format', '{{.Name}}').split('\n')).not.toContain(`${world}_back`)
  })
})
