import type Docker from 'dockerode'
import { WorldbenchError } from '../../core/errors.ts'
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
 *
 * A network shows no container until one attached to it is running, so a start holds its networks
 * (ensure → release) until its container runs: a stop of the world's last running container in
 * that window would otherwise remove a network the starting one is about to join.
 */
export class WorldNetworks {
  private readonly pending = new Map<string, Promise<string>>()
  private readonly held = new Map<string, number>()
  /** Removals under way: a start that needs one of these networks waits for it, then creates it anew. */
  private readonly removing = new Map<string, Promise<void>>()
  private readonly docker: Docker

  constructor(docker: Docker) {
    this.docker = docker
  }

  /**
   * Creates the workload's networks that do not exist yet and holds them until release(); its
   * attachments, in the order it names them.
   */
  async ensure(w: Workload): Promise<Attachment[]> {
    const joins = networksOf(w.container, w.worldNetworks).map((n) => ({
      ...n,
      name: networkName(w.world, n.name),
    }))
    for (const n of joins) this.held.set(n.name, (this.held.get(n.name) ?? 0) + 1)
    const out: Attachment[] = []
    try {
      for (const n of joins)
        out.push({
          network: await this.created(n.name, w.world, n.internal),
          aliases: [w.name, ...n.aliases],
        })
    } catch (err) {
      this.release(joins.map((n) => ({ network: n.name })))
      throw err
    }
    return out
  }

  /** Lets go of what ensure() held: a later removeUnused() may remove these networks again. */
  release(attachments: Pick<Attachment, 'network'>[]): void {
    for (const { network } of attachments) {
      const n = (this.held.get(network) ?? 0) - 1
      if (n > 0) this.held.set(network, n)
      else this.held.delete(network)
    }
  }

  private created(name: string, world: string, internal: boolean): Promise<string> {
    let p = this.pending.get(name)
    if (!p) {
      const removal = this.removing.get(name) ?? Promise.resolve()
      p = removal.then(() => this.create(name, world, internal)).finally(() => this.pending.delete(name))
      this.pending.set(name, p)
    }
    return p
  }

  /** Joins a created (not yet started) container to its other networks, so it starts on all of them. */
  async connect(containerId: string, attachments: Attachment[]): Promise<void> {
    for (const a of attachments)
      await this.docker
        .getNetwork(a.network)
        .connect({ Container: containerId, EndpointConfig: { Aliases: a.aliases } })
  }

  private async create(name: string, world: string, internal: boolean): Promise<string> {
    const net = this.docker.getNetwork(name)
    const info = await net.inspect().catch((err: unknown) => {
      if (statusOf(err) === 404) return undefined
      throw err
    })
    if (info) {
      if (Boolean(info.Internal) === internal) return name
      // One of ours that nothing runs on (left by a crash) is made anew with the new setting.
      if (!oursAndEmpty(info)) throw settingChanged(name, world, internal)
      await net.remove()
    }
    await this.docker.createNetwork({
      Name: name,
      CheckDuplicate: true,
      Internal: internal,
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

  /** Removes each of these networks that is ours, not held by a start, and has no container left on it. */
  async removeUnused(names: string[]): Promise<void> {
    for (const name of names) {
      // One look at a network at a time: a second stop sees what the first left.
      await this.removing.get(name)
      if (this.held.has(name)) continue
      const p: Promise<void> = this.removeIfUnused(name).finally(() => {
        if (this.removing.get(name) === p) this.removing.delete(name)
      })
      this.removing.set(name, p)
      await p
    }
  }

  private async removeIfUnused(name: string): Promise<void> {
    try {
      const net = this.docker.getNetwork(name)
      if (!oursAndEmpty(await net.inspect()) || this.held.has(name)) return
      await net.remove()
    } catch (err) {
      // Gone already (404), or a container joined it in the meantime (409): not ours to remove now.
      const s = statusOf(err)
      if (s !== 404 && s !== 409) logFailure('removing an unused world network', err, { network: name })
    }
  }
}

/** Made by this Worldbench, and no running container on it (a created one does not show). */
function oursAndEmpty(info: Docker.NetworkInspectInfo): boolean {
  return info.Labels?.[LABEL_OWNER] === ownerId() && !Object.keys(info.Containers ?? {}).length
}

/** The world file changed a network's setting while containers of the world still run on it. */
function settingChanged(name: string, world: string, internal: boolean): WorldbenchError {
  return new WorldbenchError(
    'NETWORK_CHANGED',
    `Network ${name} exists ${internal ? 'with' : 'without'} a route out, but world "${world}" now says it is ${internal ? '' : 'not '}internal.`,
    `Stop world "${world}" so its networks are made anew, then start it again.`,
  )
}
