import { describe, expect, it } from 'vitest'
import { ownerId } from '../../../main/core/owner.ts'
import { type Workload, WorkloadSchema } from '../../../main/core/world/schema.ts'
import { BuildTracker, PullTracker } from '../../../main/runtimes/container/build-progress.ts'
import { createOptions } from '../../../main/runtimes/container/create-options.ts'
import { parseLine } from '../../../main/runtimes/container/logs.ts'
import { stateFromInspect, stateFromListing } from '../../../main/runtimes/container/state.ts'

describe('build progress', () => {
  it('turns "Step N/M" into a percent and keeps the failing step and its output', () => {
    const t = new BuildTracker()
    expect(t.feed({ stream: 'Step 1/4 : FROM scratch\n' })).toMatchObject({ percent: 0 })
    expect(t.feed({ stream: 'Step 3/4 : RUN false\n' })).toMatchObject({ percent: 50 })
    t.feed({ stream: ' ---> Running in abc\n' })
    t.feed({ stream: 'oops\n' })
    t.feed({
      error: "The command '/bin/sh -c false' returned a non-zero code: 1",
      errorDetail: { message: "The command '/bin/sh -c false' returned a non-zero code: 1" },
    })
    expect(t.step).toBe('Step 3/4 : RUN false')
    expect(t.stepOutput).toEqual([' ---> Running in abc', 'oops'])
    expect(t.error).toMatch(/non-zero code: 1/)
  })

  it('sums layer bytes of a pull into one percent', () => {
    const t = new PullTracker()
    t.feed({ id: 'a', status: 'Downloading', progressDetail: { current: 50, total: 100 } })
    expect(
      t.feed({ id: 'b', status: 'Downloading', progressDetail: { current: 0, total: 300 } }),
    ).toMatchObject({ percent: 13 })
    expect(t.feed({ id: 'a', status: 'Pull complete', progressDetail: {} })).toMatchObject({ percent: 25 })
  })
})

describe('container create options', () => {
  const w: Workload = {
    ...WorkloadSchema.parse({
      name: 'web',
      kind: 'container',
      container: { image: 'x:1', command: ['/bin/app'] },
      args: ['-v'],
      env: { A: '1' },
      ports: [{ guest: 8080 }],
      limits: { memoryMiB: 64, cpus: 0.5 },
    }),
    world: 'w1',
  }
  it('publishes ports on their bind address, sets limits, init, labels, and command + args', () => {
    const o = createOptions(w, 'w1.web.abc', 'x:1', [
      { host: 40000, guest: 8080, bind: '127.0.0.1', url: 'http://127.0.0.1:40000/' },
    ])
    expect(o.Cmd).toEqual(['/bin/app', '-v'])
    expect(o.Env).toEqual(['A=1'])
    expect(o.HostConfig?.PortBindings).toEqual({ '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '40000' }] })
    expect(o.HostConfig).toMatchObject({ Memory: 64 * 1024 * 1024, NanoCpus: 500_000_000, Init: true })
    expect(o.Labels).toEqual({
      'io.worldbench.instance': 'w1.web.abc',
      'io.worldbench.world': 'w1',
      'io.worldbench.workload': 'web',
      'io.worldbench.owner': ownerId(),
      // Its readiness probe (TCP on its port by default), so an adopted container is checked again.
      'io.worldbench.ready': JSON.stringify({ tcp: true, timeoutSeconds: 60 }),
    })
  })

  it('adds entrypoint, mounts (named volumes scoped to the world), a health check and the world network', () => {
    const v: Workload = {
      ...WorkloadSchema.parse({
        name: 'db',
        kind: 'container',
        container: {
          image: 'db:1',
          entrypoint: ['/bin/db'],
          network: 'default',
          volumes: [
            { type: 'bind', source: '/srv/init', target: '/init', readOnly: true },
            { type: 'volume', source: 'data', target: '/data' },
            { type: 'volume', target: '/tmp/x' },
          ],
        },
        ready: { command: ['/bin/db', 'ping'], intervalSeconds: 2 },
      }),
      world: 'w1',
    }
    const o = createOptions(v, 'w1.db.abc', 'db:1', [], {
      network: 'w1_default',
      aliases: ['db', 'database'],
    })
    expect(o.Entrypoint).toEqual(['/bin/db'])
    expect(o.HostConfig?.Mounts).toEqual([
      { Type: 'bind', Source: '/srv/init', Target: '/init', ReadOnly: true },
      expect.objectContaining({ Type: 'volume', Source: 'w1_data', Target: '/data', ReadOnly: false }),
      expect.objectContaining({ Type: 'volume', Source: '', Target: '/tmp/x' }),
    ])
    expect(o.Healthcheck).toEqual({
      Test: ['CMD', '/bin/db', 'ping'],
      Interval: 2e9,
      Timeout: 5e9,
      Retries: 3,
    })
    expect(o.HostConfig?.NetworkMode).toBe('w1_default')
    expect(o.NetworkingConfig).toEqual({ EndpointsConfig: { w1_default: { Aliases: ['db', 'database'] } } })
  })
})

describe('log lines and states', () => {
  it('splits the engine timestamp off a log line', () => {
    expect(parseLine('2026-11-24T16:31:54.913041253Z hello world', 'stderr')).toEqual({
      t: Date.parse('2026-11-24T16:31:54.913Z'),
      stream: 'stderr',
      line: 'hello world',
    })
  })
  it('maps exit codes to stopped or failed', () => {
    expect(stateFromInspect({ Running: false, Status: 'exited', ExitCode: 3 })).toEqual({
      state: 'failed',
      reason: 'exited with code 3',
    })
    expect(stateFromListing('exited', 'Exited (0) 2 minutes ago').state).toBe('stopped')
    expect(stateFromListing('running', 'Up 1 second').state).toBe('running')
  })
})
