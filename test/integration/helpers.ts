import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { request } from 'node:http'

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
 * Names of containers that carry a label (e.g. io.worldbench.world=hello-trio), running or not;
 * with a state dir, only those of the installation that owns it.
 */
export function labelledContainers(label: string, home?: string): Promise<string[]> {
  const filters = ['--filter', `label=${label}`]
  if (home)
    filters.push(
      '--filter',
      `label=io.worldbench.owner=${createHash('sha256').update(home).digest('hex').slice(0, 16)}`,
    )
  return new Promise((resolve, reject) =>
    execFile('docker', ['ps', '-a', ...filters, '--format', '{{.Names}}'], (err, out) =>
      err ? reject(err) : resolve(out.split('\n').filter(Boolean)),
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
