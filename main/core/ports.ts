import { createServer } from 'node:net'
import type { PortBinding } from '../../contract/api.ts'
import { WorldbenchError } from './errors.ts'

/** Asks the OS for a free TCP port on `host` (the way "host port 0" is resolved). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.once('error', reject)
    srv.listen(0, host, () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}

/** Throws PORT_IN_USE naming the port when something already listens on it. */
export function assertPortFree(port: number, host = '127.0.0.1', owner = 'the workload'): Promise<void> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') reject(portInUse(port, host, owner))
      else reject(err)
    })
    srv.listen(port, host, () => srv.close(() => resolve()))
  })
}

export function portInUse(port: number, host: string, owner: string): WorldbenchError {
  return new WorldbenchError(
    'PORT_IN_USE',
    `Port ${host}:${port} for ${owner} is already in use.`,
    `Stop whatever listens on ${port} (e.g. "ss -ltnp 'sport = :${port}'" shows it), or set "host: 0" so Worldbench picks a free port.`,
    { port, host },
  )
}

/** Resolves host port 0 to a free port and checks fixed ones, for every port of a workload. */
export async function bindPorts(
  ports: { host: number; guest: number; bind: string }[],
  owner: string,
): Promise<PortBinding[]> {
  const out: PortBinding[] = []
  for (const p of ports) {
    const host = p.host === 0 ? await freePort(p.bind) : p.host
    if (p.host !== 0) await assertPortFree(host, p.bind, owner)
    out.push({ host, guest: p.guest, bind: p.bind, url: urlFor(p.bind, host) })
  }
  return out
}

export function urlFor(bind: string, port: number): string {
  const host = bind === '0.0.0.0' || bind === '::' ? '127.0.0.1' : bind
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}/`
}
