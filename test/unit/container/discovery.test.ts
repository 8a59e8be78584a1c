import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  type DiscoveryInput,
  discoverEndpoint,
  machineDiscoveryInput,
  parseHost,
} from '../../../main/runtimes/container/discovery.ts'

// Real files in a temp dir stand in for $HOME and the runtime dir; /var/run and /run are
// redirected into it too, so the machine's own sockets do not leak into the test.
let root: string
let home: string
let runtimeDir: string

function input(env: Record<string, string | undefined> = {}): DiscoveryInput {
  const real = machineDiscoveryInput()
  const map = (p: string) => (p.startsWith('/var/run/') || p.startsWith('/run/') ? join(root, 'sys', p) : p)
  return {
    ...real,
    env: { XDG_RUNTIME_DIR: runtimeDir, ...env },
    home,
    platform: 'linux',
    uid: 1000,
    exists: (p) => real.exists(map(p)),
  }
}
const touch = (p: string) => {
  mkdirSync(join(p, '..'), { recursive: true })
  writeFileSync(p, '')
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'wb-disc-'))
  home = join(root, 'home')
  runtimeDir = join(root, 'xdg')
  mkdirSync(home, { recursive: true })
  mkdirSync(runtimeDir, { recursive: true })
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

describe('container engine discovery, in the Docker CLI order', () => {
  it('with nothing found, names /var/run/docker.sock', () => {
    expect(discoverEndpoint(input()).address).toBe('unix:///var/run/docker.sock')
  })

  it('DOCKER_HOST wins over everything, even when its socket is missing', () => {
    touch(join(root, 'sys/var/run/docker.sock'))
    const e = discoverEndpoint(input({ DOCKER_HOST: 'unix:///elsewhere/d.sock' }))
    expect(e).toMatchObject({ socketPath: '/elsewhere/d.sock', source: 'DOCKER_HOST' })
  })

  it('accepts tcp://127.0.0.1 and refuses remote or ssh hosts', () => {
    expect(parseHost('tcp://127.0.0.1:2375', 'x')).toMatchObject({ host: '127.0.0.1', port: 2375 })
    expect(parseHost('tcp://10.0.0.5:2376', 'x').unsupported).toMatch(/127\.0\.0\.1/)
    expect(parseHost('ssh://me@box', 'x').unsupported).toBeDefined()
    expect(parseHost('npipe:////./pipe/docker_engine', 'x').socketPath).toBe('//./pipe/docker_engine')
  })

  it('the current docker context comes next', () => {
    touch(join(root, 'sys/var/run/docker.sock'))
    mkdirSync(join(home, '.docker/contexts/meta/abc123'), { recursive: true })
    writeFileSync(join(home, '.docker/config.json'), JSON.stringify({ currentContext: 'colima' }))
    writeFileSync(
      join(home, '.docker/contexts/meta/abc123/meta.json'),
      JSON.stringify({
        Name: 'colima',
        Endpoints: { docker: { Host: `unix://${home}/.colima/default/docker.sock` } },
      }),
    )
    expect(discoverEndpoint(input())).toMatchObject({
      socketPath: `${home}/.colima/default/docker.sock`,
      source: 'docker context "colima"',
    })
    // DOCKER_CONTEXT=default turns it off again, as with the CLI.
    expect(discoverEndpoint(input({ DOCKER_CONTEXT: 'default' })).address).toBe('unix:///var/run/docker.sock')
  })

  it('then the first well-known socket that exists', () => {
    touch(join(runtimeDir, 'podman/podman.sock'))
    expect(discoverEndpoint(input())).toMatchObject({
      socketPath: join(runtimeDir, 'podman/podman.sock'),
      source: 'rootless Podman socket',
    })
    touch(join(runtimeDir, 'docker.sock'))
    expect(discoverEndpoint(input()).source).toBe('rootless Docker socket')
    touch(join(home, '.docker/run/docker.sock'))
    expect(discoverEndpoint(input()).source).toBe('Docker Desktop socket')
    touch(join(root, 'sys/var/run/docker.sock'))
    expect(discoverEndpoint(input()).source).toBe('default socket')
  })

  it('finds rootful Podman when nothing else is there', () => {
    touch(join(root, 'sys/run/podman/podman.sock'))
    expect(discoverEndpoint(input()).address).toBe('unix:///run/podman/podman.sock')
  })

  it('uses the named pipe on Windows', () => {
    expect(discoverEndpoint({ ...input(), platform: 'win32' }).socketPath).toBe('//./pipe/docker_engine')
  })
})
