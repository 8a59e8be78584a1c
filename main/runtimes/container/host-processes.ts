import { readdirSync, readFileSync } from 'node:fs'
import { basename } from 'node:path'

/** A process outside the container that exists because of it: its shim, conmon, a port proxy. */
export interface HelperProcess {
  pid: number
  name: string
}

/** The argv of a process, or undefined once it is gone. */
function argvOf(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').filter(Boolean)
  } catch {
    return undefined
  }
}

function flag(argv: string[], ...names: string[]): string | undefined {
  for (const n of names) {
    const i = argv.indexOf(n)
    if (i >= 0) return argv[i + 1]
    const eq = argv.find((a) => a.startsWith(`${n}=`))
    if (eq) return eq.slice(n.length + 1)
  }
  return undefined
}

/**
 * Whether a command line belongs to this container: containerd's shim carries its id after `-id`,
 * Podman's conmon after `-c`/`--cid`, docker-proxy its host port after `-host-port` (and its
 * address after `-host-ip`).
 */
export function helperOf(
  argv: string[],
  containerId: string,
  ports: { host: number; bind: string }[],
): string | undefined {
  const exe = basename(argv[0] ?? '')
  if (exe.startsWith('containerd-shim')) return flag(argv, '-id') === containerId ? exe : undefined
  if (exe === 'conmon') return flag(argv, '-c', '--cid') === containerId ? exe : undefined
  if (exe === 'docker-proxy') {
    const port = Number(flag(argv, '-host-port'))
    const ip = flag(argv, '-host-ip')
    const p = ports.find((x) => x.host === port && (!ip || x.bind === ip || ip === '0.0.0.0' || ip === '::'))
    return p ? `docker-proxy :${port}` : undefined
  }
  return undefined
}

/** Every helper process of one container, found by scanning /proc (Linux, local engine only). */
export function findHelpers(containerId: string, ports: { host: number; bind: string }[]): HelperProcess[] {
  const out: HelperProcess[] = []
  for (const pid of procPids()) {
    const argv = argvOf(pid)
    if (!argv) continue
    const name = helperOf(argv, containerId, ports)
    if (name) out.push({ pid, name })
  }
  return out
}

/** Shared engine daemons: each counted once as engine overhead, never per workload. */
export function findEngineDaemons(): HelperProcess[] {
  const names = new Set(['dockerd', 'containerd', 'podman'])
  const out: HelperProcess[] = []
  for (const pid of procPids()) {
    const argv = argvOf(pid)
    const exe = basename(argv?.[0] ?? '')
    if (!argv || !names.has(exe)) continue
    if (exe === 'podman' && !argv.includes('service')) continue
    out.push({ pid, name: exe })
  }
  return out
}

function procPids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map(Number)
  } catch {
    return []
  }
}

/** Still the same process (pids are reused): its argv still names the same helper. */
export function stillHelper(
  h: HelperProcess,
  containerId: string,
  ports: { host: number; bind: string }[],
): boolean {
  const argv = argvOf(h.pid)
  return argv !== undefined && helperOf(argv, containerId, ports) === h.name
}
