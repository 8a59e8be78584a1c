import type { WorldbenchApi } from '../../contract/api.ts'
import { WorldbenchError } from '../core/errors.ts'
import { currentOwner } from '../core/owner-lock.ts'
import { sleep } from '../core/readiness.ts'
import type { WorldbenchService } from '../service.ts'
import { connectControlSocket } from '../transport/control-socket.ts'

export interface Connection {
  api: WorldbenchApi
  /** Set when this process became the owner of the state dir. */
  owner: boolean
  close(opts?: { stopAll?: boolean }): Promise<void>
}

// An owner takes the lock before it listens; adopting what a crashed one left can take a while.
const OWNER_STARTING_MS = 30_000

/**
 * The CLI talks to the owner of the state dir (desktop app, `serve`, a foreground `up`, a
 * background service) through its control socket, so every front sees the same worlds. With none:
 * "read" looks at engine truth and the store and changes nothing (no adoption, no QMP); "own"
 * makes this process the owner (two racing for it: one wins, the other talks to it).
 */
export async function connect(access: 'read' | 'own', role = 'cli'): Promise<Connection> {
  while (true) {
    const remote = await findService()
    if (remote) return remote
    if (access === 'read') return readOnly()
    try {
      // Only now the engines' SDKs load: a client of a running service never needs them.
      const { startOwner } = await import('../owner.ts')
      const owner = await startOwner(role)
      return {
        api: await localClient(owner.service),
        owner: true,
        close: (opts) => owner.close({ stopAll: opts?.stopAll ?? false }),
      }
    } catch (err) {
      if (!(err instanceof WorldbenchError && err.code === 'ALREADY_RUNNING')) throw err
    }
  }
}

/**
 * The service that owns the state dir, over its control socket; undefined when none runs. One that
 * holds the lock but does not answer yet is waited for (it may be adopting what a crashed one left).
 */
export async function findService(): Promise<Connection | undefined> {
  const deadline = Date.now() + OWNER_STARTING_MS
  while (true) {
    const remote = await connectControlSocket()
    if (remote) return { api: remote.client, owner: false, close: async () => void remote.close() }
    const holder = currentOwner()
    if (!holder) return undefined
    if (Date.now() > deadline) {
      throw new WorldbenchError(
        'SERVICE_NOT_ANSWERING',
        `The Worldbench service (pid ${holder.pid}, "${holder.role}") owns the state dir but does not answer on its control socket.`,
        `It may still be starting, or be stuck: wait a moment, or stop it ("worldbench service stop", or kill ${holder.pid}).`,
      )
    }
    await sleep(100)
  }
}

async function localClient(service: WorldbenchService): Promise<WorldbenchApi> {
  const { createLocalClient } = await import('../transport/local-client.ts')
  return createLocalClient(service.handlers, service.bus)
}

async function readOnly(): Promise<Connection> {
  const { createService } = await import('../create-service.ts')
  const service = createService({ readOnly: true })
  await service.observe()
  return {
    api: await localClient(service),
    owner: false,
    close: () => service.close({ stopAll: false }),
  }
}
