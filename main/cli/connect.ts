import type { WorldbenchApi } from '../../preload/api.ts'
import type { WorldbenchService } from '../service.ts'
import { connectControlSocket } from '../transport/control-socket.ts'
import { createLocalClient } from '../transport/local-client.ts'

export interface Connection {
  api: WorldbenchApi
  /** Set when no service was running and this process runs one itself. */
  local?: WorldbenchService
  close(): Promise<void>
}

/**
 * The CLI talks to the running service (desktop app or `worldbench serve`) through its control
 * socket, so every front sees the same worlds; with none running it runs the service itself.
 */
export async function connect(opts: { adopt?: boolean } = {}): Promise<Connection> {
  const remote = await connectControlSocket()
  if (remote) return { api: remote.client, close: async () => void remote.close() }
  // Only now the engines' SDKs load: a client of a running service never needs them.
  const { createService } = await import('../create-service.ts')
  const service = createService()
  if (opts.adopt !== false) await service.supervisor.adoptAll()
  return {
    api: createLocalClient(service.handlers, service.bus),
    local: service,
    close: () => service.close({ stopAll: false }),
  }
}
