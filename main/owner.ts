import type { Server } from 'node:net'
import { logFailure } from './core/log.ts'
import { acquireOwnerLock } from './core/owner-lock.ts'
import { createService } from './create-service.ts'
import type { WorldbenchService } from './service.ts'
import { listenControlSocket } from './transport/control-socket.ts'

/** The one process that runs the Supervisor for a state dir, and serves it on the control socket. */
export interface Owner {
  service: WorldbenchService
  control: Server
  close(opts: { stopAll: boolean }): Promise<void>
}

/**
 * Takes the state dir's owner lock before anything else (a second service refuses at once, having
 * started nothing), adopts what a previous owner left, then listens on the control socket so every
 * other front talks to this one.
 */
export async function startOwner(
  role: string,
  opts: { restoreWorlds?: boolean; create?: () => WorldbenchService } = {},
): Promise<Owner> {
  const lock = acquireOwnerLock(role)
  let service: WorldbenchService | undefined
  try {
    service = (opts.create ?? createService)()
    await service.start({ restoreWorlds: opts.restoreWorlds ?? false })
    const control = await listenControlSocket(service.handlers, service.bus)
    const owned = service
    return {
      service: owned,
      control,
      close: async ({ stopAll }) => {
        control.close()
        try {
          await owned.close({ stopAll })
        } finally {
          lock.release()
        }
      },
    }
  } catch (err) {
    await service
      ?.close({ stopAll: false })
      .catch((e) => logFailure('closing the service after a failed start', e))
    lock.release()
    throw err
  }
}
