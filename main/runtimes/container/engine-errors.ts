import type { InstallHint } from '../../../contract/api.ts'
import { isErrnoCode, WorldbenchError } from '../../core/errors.ts'
import type { Endpoint } from './discovery.ts'

export const INSTALL_HINT: InstallHint = {
  linux:
    'Install Docker ("sudo apt-get install docker.io", then "sudo systemctl start docker") or Podman ("sudo apt-get install podman", then "systemctl --user start podman.socket").',
  macos:
    'Install Docker Desktop, Colima ("brew install colima docker && colima start") or Podman Desktop, and start it.',
  windows: 'Install Docker Desktop (WSL 2 backend) or Podman Desktop, and start it.',
}

const START_HINT =
  'Start the engine: Docker Desktop (open the app), Linux ("sudo systemctl start docker"), Colima ("colima start") or Podman ("systemctl --user start podman.socket"). Or point the "container.socket" setting at the right socket.'

/** True for the errors that mean "no engine there", as opposed to an engine that said no. */
export function isConnectionError(err: unknown): boolean {
  return [
    'ENOENT',
    'ECONNREFUSED',
    'EACCES',
    'EPERM',
    'ECONNRESET',
    'EPIPE',
    'ETIMEDOUT',
    'ENOTSOCK',
    'ENGINE_TIMEOUT',
  ].some((c) => isErrnoCode(err, c))
}

/** Turns a failed connection into an error that names the socket and says what to do. */
export function engineUnreachable(endpoint: Endpoint, err: unknown): WorldbenchError {
  const where = `${endpoint.address} (${endpoint.source})`
  const details = { socket: endpoint.address, source: endpoint.source, cause: errText(err) }
  if (endpoint.unsupported) {
    return new WorldbenchError(
      'ENGINE_UNSUPPORTED_ADDRESS',
      `The container engine address ${where} is not supported: ${endpoint.unsupported}.`,
      'Use a local socket: unset DOCKER_HOST or switch context ("docker context use default"), or set the "container.socket" setting.',
      details,
    )
  }
  if (isErrnoCode(err, 'EACCES') || isErrnoCode(err, 'EPERM')) {
    return new WorldbenchError(
      'ENGINE_PERMISSION_DENIED',
      `Permission denied on the container engine socket ${where}.`,
      'Add your user to the docker group ("sudo usermod -aG docker $USER", then log in again), or use rootless Docker or Podman rootless ("systemctl --user start podman.socket").',
      details,
    )
  }
  if (isErrnoCode(err, 'ENGINE_TIMEOUT')) {
    return new WorldbenchError(
      'ENGINE_NOT_RESPONDING',
      `The container engine at ${where} accepted the connection but did not answer.`,
      'The engine may be starting or stuck: wait a moment, or restart it (Docker Desktop: Restart; Linux: "sudo systemctl restart docker").',
      details,
    )
  }
  const what = isErrnoCode(err, 'ENOENT')
    ? 'there is no socket there'
    : isErrnoCode(err, 'ECONNREFUSED')
      ? 'nothing listens on it'
      : errText(err)
  return new WorldbenchError(
    'ENGINE_NOT_RUNNING',
    `No container engine answers at ${where}: ${what}.`,
    START_HINT,
    details,
  )
}

export function errText(err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}

/** The HTTP status of a dockerode error, if the engine answered at all. */
export function statusOf(err: unknown): number | undefined {
  const s = (err as { statusCode?: unknown } | null)?.statusCode
  return typeof s === 'number' ? s : undefined
}

/** The engine's own message ("port is already allocated"), without dockerode's prefix. */
export function engineMessage(err: unknown): string {
  const json = (err as { json?: { message?: unknown } } | null)?.json
  if (json && typeof json.message === 'string') return json.message
  const reason = (err as { reason?: unknown } | null)?.reason
  return typeof reason === 'string' && reason ? `${reason}: ${errText(err)}` : errText(err)
}

/** Runs an engine call; "no engine there" becomes an error that names the socket and the fix. */
export async function onEngine<T>(endpoint: Endpoint, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    if (!(err instanceof WorldbenchError) && isConnectionError(err)) throw engineUnreachable(endpoint, err)
    throw err
  }
}
