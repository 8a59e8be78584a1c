import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'

/** Where a Docker-API engine might listen, and why we think so. */
export interface Endpoint {
  /** A unix socket path or a Windows named pipe (what dockerode calls socketPath). */
  socketPath?: string
  /** tcp://127.0.0.1 only: an engine published on loopback without TLS. */
  host?: string
  port?: number
  /** What a person recognises: "unix:///var/run/docker.sock". */
  address: string
  /** Why this one: "DOCKER_HOST", "docker context colima", "default socket", … */
  source: string
  /** Set when the address is one Worldbench will not talk to (ssh://, a remote tcp host). */
  unsupported?: string
}

/** Everything discovery reads from the machine, so tests can hand in their own. */
export interface DiscoveryInput {
  env: Record<string, string | undefined>
  home: string
  platform: NodeJS.Platform
  uid: number | undefined
  exists(path: string): boolean
  readText(path: string): string | undefined
  listDir(path: string): string[]
}

export function machineDiscoveryInput(): DiscoveryInput {
  return {
    env: process.env,
    home: homedir(),
    platform: process.platform,
    uid: process.getuid?.(),
    exists: existsSync,
    readText: (p) => {
      try {
        return readFileSync(p, 'utf8')
      } catch {
        return undefined
      }
    },
    listDir: (p) => {
      try {
        return readdirSync(p)
      } catch {
        return []
      }
    },
  }
}

const WINDOWS_PIPE = '//./pipe/docker_engine'

/**
 * Picks the engine endpoint the way the Docker CLI does: DOCKER_HOST, then the current docker
 * context, and if neither names one, the first well-known socket that exists (Docker, Docker
 * Desktop, rootless Docker, Podman). With nothing found it returns the platform's default, so the
 * error can name it.
 */
export function discoverEndpoint(input: DiscoveryInput = machineDiscoveryInput()): Endpoint {
  const explicit = explicitEndpoint(input)
  if (explicit) return explicit
  const candidates = wellKnownEndpoints(input)
  return candidates.find((c) => c.socketPath !== undefined && input.exists(c.socketPath)) ?? candidates[0]!
}

/** DOCKER_HOST or the current context: the user chose it, so no fallback (as the CLI). */
export function explicitEndpoint(input: DiscoveryInput): Endpoint | undefined {
  const dockerHost = input.env.DOCKER_HOST?.trim()
  if (dockerHost) return parseHost(dockerHost, 'DOCKER_HOST')
  const context = currentContext(input)
  if (context && context !== 'default') {
    const host = contextHost(input, context)
    if (host) return parseHost(host, `docker context "${context}"`)
  }
  return undefined
}

/** The sockets tried in order when nothing explicit is set. */
export function wellKnownEndpoints(input: DiscoveryInput): Endpoint[] {
  if (input.platform === 'win32') return [unix(WINDOWS_PIPE, 'Docker Desktop named pipe', 'npipe:')]
  const runtimeDir =
    input.env.XDG_RUNTIME_DIR ||
    (input.uid !== undefined && input.uid !== 0 ? `/run/user/${input.uid}` : undefined)
  const out = [
    unix('/var/run/docker.sock', 'default socket'),
    unix(join(input.home, '.docker', 'run', 'docker.sock'), 'Docker Desktop socket'),
  ]
  if (runtimeDir) {
    out.push(unix(join(runtimeDir, 'docker.sock'), 'rootless Docker socket'))
    out.push(unix(join(runtimeDir, 'podman', 'podman.sock'), 'rootless Podman socket'))
  }
  out.push(unix('/run/podman/podman.sock', 'Podman socket'))
  return out
}

function dockerConfigDir(input: DiscoveryInput): string {
  return input.env.DOCKER_CONFIG || join(input.home, '.docker')
}

/** DOCKER_CONTEXT, else "currentContext" of ~/.docker/config.json. */
export function currentContext(input: DiscoveryInput): string | undefined {
  if (input.env.DOCKER_CONTEXT) return input.env.DOCKER_CONTEXT
  const text = input.readText(join(dockerConfigDir(input), 'config.json'))
  if (!text) return undefined
  try {
    const ctx = (JSON.parse(text) as { currentContext?: unknown }).currentContext
    return typeof ctx === 'string' && ctx !== '' ? ctx : undefined
  } catch {
    return undefined
  }
}

/** The docker endpoint of a named context, from contexts/meta/<digest>/meta.json. */
export function contextHost(input: DiscoveryInput, name: string): string | undefined {
  const metaDir = join(dockerConfigDir(input), 'contexts', 'meta')
  for (const digest of input.listDir(metaDir)) {
    const text = input.readText(join(metaDir, digest, 'meta.json'))
    if (!text) continue
    try {
      const meta = JSON.parse(text) as { Name?: string; Endpoints?: { docker?: { Host?: string } } }
      if (meta.Name === name && meta.Endpoints?.docker?.Host) return meta.Endpoints.docker.Host
    } catch {
      // A broken meta file of another context is not ours to report.
    }
  }
  return undefined
}

export function parseHost(value: string, source: string): Endpoint {
  if (value.startsWith('unix://')) return unix(value.slice('unix://'.length), source)
  if (value.startsWith('npipe://')) return unix(value.slice('npipe://'.length), source, 'npipe:')
  if (value.startsWith('tcp://')) {
    let url: URL
    try {
      url = new URL(value)
    } catch {
      return { address: value, source, unsupported: 'it is not a valid tcp:// address' }
    }
    const host = url.hostname
    const port = Number(url.port || 2375)
    if (host === '127.0.0.1' || host === 'localhost')
      return { host: '127.0.0.1', port, address: `tcp://127.0.0.1:${port}`, source }
    return {
      address: value,
      source,
      unsupported: 'Worldbench only talks to a TCP engine on 127.0.0.1 (no TLS, no remote hosts)',
    }
  }
  return {
    address: value,
    source,
    unsupported: 'only unix://, npipe:// and tcp://127.0.0.1 engine addresses are supported',
  }
}

function unix(path: string, source: string, scheme = 'unix:'): Endpoint {
  return { socketPath: path, address: `${scheme}//${path}`, source }
}

/** The engine to talk to: the one a "container.socket" setting names, else the one discovery finds. */
export function endpointFor(socketPath: string | undefined): Endpoint {
  return socketPath
    ? parseHost(socketPath.includes('://') ? socketPath : `unix://${socketPath}`, 'container.socket setting')
    : discoverEndpoint()
}
