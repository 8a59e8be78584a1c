import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Docker from 'dockerode'
import { afterAll, describe, expect, it } from 'vitest'
import { WorldbenchError } from '../../main/core/errors.ts'
import { type Workload, WorkloadSchema } from '../../main/core/world/schema.ts'
import type { Attachment } from '../../main/runtimes/container/create-options.ts'
import { ContainerRuntime } from '../../main/runtimes/container/index.ts'
import { networkName, WorldNetworks } from '../../main/runtimes/container/network.ts'

// Real Docker: a world's network must outlive the stop of its last running container while another
// container of the world is starting onto it, and must not outlive a start that failed.
const world = `nethold${process.pid}`
const docker = new Docker()

function workload(name: string, internal?: boolean): Workload {
  return {
    ...WorkloadSchema.parse({
      name,
      kind: 'container',
      container: { image: 'worldbench/never-built:0', networks: ['inner'] },
    }),
    world,
    ...(internal !== undefined && { worldNetworks: { inner: { internal } } }),
  }
}

const isInternal = (network: string) =>
  execFileSync('docker', ['network', 'inspect', '-f', '{{.Internal}}', network], {
    encoding: 'utf8',
  }).trim() === 'true'

/** A container running on the network (FROM scratch + a static busybox, built here offline). */
function runOn(network: string): string {
  const ctx = mkdtempSync(join(tmpdir(), 'wb-nethold-'))
  try {
    mkdirSync(join(ctx, 'bin'))
    copyFileSync('/bin/busybox', join(ctx, 'bin', 'busybox'))
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY bin /bin\nENTRYPOINT ["/bin/busybox"]\n')
    execFileSync('docker', ['build', '-q', '-t', `worldbench-test/nethold:${process.pid}`, ctx])
  } finally {
    rmSync(ctx, { recursive: true, force: true })
  }
  return execFileSync(
    'docker',
    ['run', '-d', '--rm', '--network', network, `worldbench-test/nethold:${process.pid}`, 'sleep', '300'],
    { encoding: 'utf8' },
  ).trim()
}

const exists = (network: string) => {
  try {
    execFileSync('docker', ['network', 'inspect', network], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

afterAll(() => {
  execFileSync('docker', ['rmi', '-f', `worldbench-test/nethold:${process.pid}`], { stdio: 'ignore' })
  const left = execFileSync(
    'docker',
    ['network', 'ls', '-q', '--filter', `label=io.worldbench.world=${world}`],
    {
      encoding: 'utf8',
    },
  ).trim()
  if (left) execFileSync('docker', ['network', 'rm', ...left.split('\n')])
  expect(left).toBe('')
})

describe("a world's network and the starts that use it", () => {
  const name = networkName(world, 'inner')
  const goesOnceLetGo = async (nets: WorldNetworks, held: Attachment[]) => {
    nets.release(held)
    await nets.removeUnused([name])
    expect(exists(name)).toBe(false)
  }

  it('is kept while a start holds it, even with no container on it, and removed once let go', async () => {
    const nets = new WorldNetworks(docker)
    const held = await nets.ensure(workload('starting'))
    expect(held).toEqual([{ network: name, aliases: ['starting'] }])
    expect(exists(name)).toBe(true)
    // The clean-up after another container's stop: the network has no container yet.
    await nets.removeUnused([name])
    expect(exists(name)).toBe(true)
    await goesOnceLetGo(nets, held)
  })

  it('a start that comes while the network is being removed waits, then has it created anew', async () => {
    const nets = new WorldNetworks(docker)
    nets.release(await nets.ensure(workload('first')))
    expect(exists(name)).toBe(true)
    const removal = nets.removeUnused([name])
    const held = await nets.ensure(workload('second'))
    await removal
    expect(exists(name)).toBe(true)
    await goesOnceLetGo(nets, held)
  })

  it('is made internal when the world says so; one of ours nothing runs on is made anew when the setting changes', async () => {
    const nets = new WorldNetworks(docker)
    nets.release(await nets.ensure(workload('a', true)))
    expect(isInternal(name)).toBe(true)
    // Left behind (as after a crash) with the old setting: nothing runs on it, so it is replaced.
    nets.release(await nets.ensure(workload('a', false)))
    expect(isInternal(name)).toBe(false)
    await nets.removeUnused([name])
    expect(exists(name)).toBe(false)
  })

  it('refuses to change a setting under running containers, naming the network and what to do', async () => {
    const nets = new WorldNetworks(docker)
    nets.release(await nets.ensure(workload('a')))
    const running = runOn(name)
    try {
      const err = await nets.ensure(workload('b', true)).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(WorldbenchError)
      expect(err).toMatchObject({ code: 'NETWORK_CHANGED', message: expect.stringContaining(name) })
      expect((err as WorldbenchError).hint).toMatch(/Stop world .* networks are made anew/)
      expect(isInternal(name)).toBe(false)
    } finally {
      execFileSync('docker', ['rm', '-f', running], { stdio: 'ignore' })
    }
    // The refused start held nothing: the network goes once unused.
    await nets.removeUnused([name])
    expect(exists(name)).toBe(false)
  })

  it('a container that cannot be created leaves no network behind', async () => {
    const rt = new ContainerRuntime()
    try {
      const w = workload('no-image')
      await expect(
        rt.start(w, { kind: 'container', ref: 'worldbench/never-built:0', bytes: 0 }),
      ).rejects.toThrow()
      expect(exists(name)).toBe(false)
    } finally {
      await rt.close()
    }
  })
})
