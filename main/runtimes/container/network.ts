import type Docker from 'dockerode'
import { logFailure } from '../../core/log.ts'
import { ownerId } from '../../core/owner.ts'
import { networksOf } from '../../core/world/kinds/container.ts'
import type { Workload } from '../../core/world/schema.ts'
import type { Attachment } from './create-options.ts'
import { statusOf } from './engine-errors.ts'
import { LABEL_OWNER, LABEL_WORLD } from './labels.ts'

/** A world's network, as Compose names a project's: "<world>_<name>". */
export const networkName = (world: string, name: string) => `${world}_${name}`

/**
 * The containers of a world that name the same network share it and reach each other by workload
 * name (and aliases); a container reaches only those it shares a network with. Each network is
 * created on the first start that names it (once, even when a wave starts several at once) and
 * removed when its last container of ours stops.
 */
export class WorldNetworks {
  private readonly pending = new Map<string, Promise<string>>()
  private readonly docker: Docker

  constructor(docker: Docker) {
    this.docker = docker
  }

  /** Creates the workload's networks that do not exist yet; its attachments, in the order it names them. */
  async ensure(w: Workload): Promise<Attachment[]> {
    const out: Attachment[] = []
    for (const n of networksOf(w.container)) {
      const name = networkName(w.world, n.name)
      let p = this.pending.get(name)
      if (!p) {
        p = this.create(name, w.world).finally(() => this.pending.delete(name))
        this.pending.set(name, p)
      }
      out.push({ network: await p, aliases: [w.name, ...n.aliases] })
    }
    return out
  }

  /** Joins a created (not yet started) container to its other networks, so it starts on all of them. */
  async connect(containerId: string, attachments: Attachment[]): Promise<void> {
    for (const a of attachments)
      await this.docker
        .getNetwork(a.network)
        .connect({ Container: containerId, EndpointConfig: { Aliases: a.aliases } })
  }

  private async create(name: string, world: string): Promise<string> {
    try {
      await this.docker.getNetwork(name).inspect()
      return name
    } catch (err) {
      if (statusOf(err) !== 404) throw err
    }
    await this.docker.createNetwork({
      Name: name,
      CheckDuplicate: true,
      Labels: { [LABEL_WORLD]: world, [LABEL_OWNER]: ownerId() },
    })
    return name
  }

  /** The networks of ours a world has (found by label, so one a vanished container was on is found too). */
  async ofWorld(world: string): Promise<string[]> {
    try {
      const nets = await this.docker.listNetworks({
        filters: { label: [`${LABEL_WORLD}=${world}`, `${LABEL_OWNER}=${ownerId()}`] },
      })
      return nets.map((n) => n.Name)
    } catch (err) {
      // Its networks stay until the next stop of the world finds them.
      logFailure("listing a world's networks", err, { world })
      return []
    }
  }

  /** Removes each of these networks that is ours and has no container left on it. */
  async removeUnused(names: string[]): Promise<void> {
    for (const name of names) {
      try {
        const net = this.docker.getNetwork(name)
        const info = await net.inspect()
        if (info.Labels?.[LABEL_OWNER] !== ownerId() || Object.keys(info.Containers ?? {}).length) continue
        await net.remove()
      } catch (err) {
        // Gone already (404), or a container joined it in the meantime (409): not ours to remove now.
        const s = statusOf(err)
        if (s !== 404 && s !== 409) logFailure('removing an unused world network', err, { network: name })
      }
    }
  }
}
