import { execFileSync } from 'node:child_process'
import Docker from 'dockerode'
import { afterAll, describe, expect, it } from 'vitest'
import { type Workload, WorkloadSchema } from '../../main/core/world/schema.ts'
import { ContainerRuntime } from '../../main/runtimes/container/index.ts'
import { networkName, WorldNetworks } from '../../main/runtimes/container/network.ts'

// Real Docker: a world's network must outlive the stop of its last running container while another
// container of the world is starting onto it, and must not outlive a start that failed.
const world = `nethold${process.pid}`
const docker = new Docker()

function workload(name: string, image = 'worldbench/never-built:0'): Workload {
  return {
    ...WorkloadSchema.parse({ name, kind: 'container', container: { image, networks: ['inner'] } }),
    world,
  }
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

  it('is kept while a start holds it, even with no container on it, and removed once let go', async () => {
    const nets = new WorldNetworks(docker)
    const held = await nets.ensure(workload('starting'))
    expect(held).toEqual([{ network: name, aliases: ['starting'] }])
    expect(exists(name)).toBe(true)
    // The clean-up after another container's stop: the network has no container yet.
    await nets.removeUnused([name])
    expect(exists(name)).toBe(true)
    nets.release(held)
    await nets.removeUnused([name])
    expect(exists(name)).toBe(false)
  })

  it('a start that comes while the network is being removed waits, then has it created anew', async () => {
    const nets = new WorldNetworks(docker)
    nets.release(await nets.ensure(workload('first')))
    expect(exists(name)).toBe(true)
    const removal = nets.removeUnused([name])
    const held = await nets.ensure(workload('second'))
    await removal
    expect(exists(name)).toBe(true)
    nets.release(held)
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
