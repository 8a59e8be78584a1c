import type { PortBinding } from '../../../contract/api.ts'
import { WorldbenchError } from '../../core/errors.ts'
import { portInUse } from '../../core/ports.ts'
import type { Workload } from '../../core/world/schema.ts'
import type { Endpoint } from './discovery.ts'
import { engineMessage, engineUnreachable, isConnectionError } from './engine-errors.ts'

/** Why the engine would not start a created container: a taken port, no engine, or its own words. */
export function startError(
  endpoint: Endpoint,
  w: Workload,
  id: string,
  ports: PortBinding[],
  err: unknown,
): WorldbenchError {
  if (isConnectionError(err)) return engineUnreachable(endpoint, err)
  const msg = engineMessage(err)
  if (/port is already allocated|address already in use/i.test(msg)) {
    const port = ports.find((p) => msg.includes(`:${p.host}`)) ?? ports[0]
    if (port) {
      const e = portInUse(port.host, port.bind, `${w.world}/${w.name}`)
      return new WorldbenchError(e.code, e.message, e.hint, { ...e.details, engine: msg })
    }
  }
  return new WorldbenchError(
    'CONTAINER_START_FAILED',
    `Container ${id} (${w.container?.image}) could not start: ${msg}`,
    "Check the image's entrypoint, command and args, and the engine log.",
    { engine: msg },
  )
}

/** Podman without its init binary (Debian's podman only recommends catatonit) refuses Init: true. */
export function initMissing(w: Workload, err: unknown): WorldbenchError | undefined {
  const msg = engineMessage(err)
  if (!/container-init binary not found/i.test(msg)) return undefined
  return new WorldbenchError(
    'CONTAINER_INIT_MISSING',
    `The engine cannot start ${w.world}/${w.name} with an init process: ${msg}`,
    'Install catatonit ("sudo apt-get install catatonit"), or point init_path in containers.conf at tini or dumb-init, or set "container.init: false" on the workload.',
    { engine: msg },
  )
}
