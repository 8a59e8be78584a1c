import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { request } from 'node:http'
import { ownLabel } from '../../main/runtimes/container/labels.ts'

/** GET on 127.0.0.1 (never a container or VM address): status and body. */
export function httpGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const u = new URL(url)
  if (u.hostname !== '127.0.0.1') throw new Error(`tests only talk to 127.0.0.1, not ${u.hostname}`)
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: `${u.pathname}${u.search}`,
        headers,
        agent: false,
        timeout: 10_000,
      },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (c) => (body += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      },
    )
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)))
    req.on('error', reject)
    req.end()
  })
}

/**
 * Names of containers that carry a label (e.g. io.worldbench.world=hello-trio), running or not:
 * only those of this test file's state dir (its owner label), or of `home`'s when given, since
 * other runs on the same engine may run the same sample worlds at the same time.
 */
export function labelledContainers(label: string, home?: string): Promise<string[]> {
  const owner = home
    ? `io.worldbench.owner=${createHash('sha256').update(home).digest('hex').slice(0, 16)}`
    : ownLabel()
  return new Promise((resolve, reject) =>
    execFile(
      'docker',
      ['ps', '-a', '--filter', `label=${label}`, '--filter', `label=${owner}`, '--format', '{{.Names}}'],
      (err, out) => (err ? reject(err) : resolve(out.split('\n').filter(Boolean))),
    ),
  )
}

/**
 * Command lines of running QEMU processes of one world (their -name is worldbench:<world>.<workload>.<id>)
 * started with this test run's state dir (so another run on the same machine is not counted).
 */
export function qemuProcesses(world: string, home = process.env.WORLDBENCH_HOME ?? ''): Promise<string[]> {
  return new Promise((resolve) =>
    execFile('pgrep', ['-af', 'qemu-system'], (_err, out) =>
      resolve(out.split('\n').filter((l) => l.includes(`-name worldbench:${world}.`) && l.includes(home))),
    ),
  )
}

/** Running and not a zombie (a reaped-late child still answers kill(pid, 0)). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

/**
 * A container's start() returns once the engine started it, before its server listens: the first
 * 200 on 127.0.0.1, polled (what readiness does for worlds).
 */
export async function answered(url: string, timeoutMs = 30_000): Promise<{ status: number; body: string }> {
  const end = Date.now() + timeoutMs
  while (true) {
    const res = await httpGet(url).catch(() => undefined)
    if (res && res.status < 400) return res
    if (Date.now() > end) throw new Error(`no success from ${url} within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Trusts a test world's scripts, as a person does after reading them (they run only once trusted). */
export async function trustTestWorld(
  service: { handlers: { trustWorld(a: { world: string; sha256: string }): Promise<unknown> } },
  world: string,
): Promise<void> {
  const { loadWorld } = await import('../../main/core/world/load.ts')
  const { worldTrustHash } = await import('../../main/core/world/trust.ts')
  await service.handlers.trustWorld({ world, sha256: await worldTrustHash(await loadWorld(world)) })
}
