/**
 * Whether a process in a container's network namespace listens on a TCP port, read from
 * /proc/<pid>/net/tcp{,6} of the container's first process. A published port's docker-proxy (or
 * Podman's rootlessport) accepts a connection before the server inside listens, so a TCP connect
 * on 127.0.0.1 says nothing about the workload; this says it without waiting.
 */
import { readFile } from 'node:fs/promises'

const TCP_LISTEN = '0A'

/** Ports in LISTEN state in one /proc/net/tcp table (IPv4 or IPv6 layout alike). */
export function listeningPorts(table: string): Set<number> {
  const ports = new Set<number>()
  for (const line of table.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/)
    const local = cols[1]
    if (!local || cols[3] !== TCP_LISTEN) continue
    ports.add(Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16))
  }
  return ports
}

/** true/false from the container's own tables; undefined when they cannot be read here. */
export async function listensInside(pid: number, port: number): Promise<boolean | undefined> {
  let read = false
  for (const table of ['tcp', 'tcp6']) {
    try {
      if (listeningPorts(await readFile(`/proc/${pid}/net/${table}`, 'latin1')).has(port)) return true
      read = true
    } catch {
      // tcp6 is missing where IPv6 is off; both missing means we cannot tell.
    }
  }
  return read ? false : undefined
}
