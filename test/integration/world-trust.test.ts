import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WorldbenchError } from '../../main/core/errors.ts'
import { projectRoot } from '../../main/core/paths.ts'
import { createService } from '../../main/create-service.ts'
import type { WorldbenchService } from '../../main/service.ts'

const WORLD = `apiVersion: worldbench/v1
name: trust-me
workloads:
  - name: hello
    kind: wasm
    prepare: ./prepare.sh
    wasm: { module: ./hello.wasm, serve: cgi }
    ports: [{ host: 0, guest: 8080 }]
    ready: { http: /, timeoutSeconds: 60 }
`

/** What worldUp throws; fails the test when it resolves instead. */
async function refusal(p: Promise<unknown>): Promise<WorldbenchError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(WorldbenchError)
  return err as WorldbenchError
}

describe("a world's prepare script runs only once the world is trusted, as it is", () => {
  const dir = mkdtempSync(join(tmpdir(), 'wb-trust-'))
  const file = join(dir, 'world.yaml')
  const ran = join(dir, 'ran')
  let service: WorldbenchService

  beforeAll(() => {
    writeFileSync(file, WORLD)
    writeFileSync(join(dir, 'prepare.sh'), `echo ran >> ${JSON.stringify(ran)}\n`)
    copyFileSync(
      join(projectRoot(), 'resources', 'worlds', 'hello-trio', 'build', 'hello.wasm'),
      join(dir, 'hello.wasm'),
    )
    service = createService()
  })
  afterAll(async () => {
    await service.close({ stopAll: true })
    rmSync(dir, { recursive: true, force: true })
  })

  it('an untrusted world is refused with its scripts and a hash to trust; nothing runs', async () => {
    const err = await refusal(service.handlers.worldUp({ world: file }))
    expect(err.code).toBe('WORLD_NOT_TRUSTED')
    expect(err.message).toContain(join(dir, 'prepare.sh'))
    expect(err.hint).toContain('--yes')
    expect(err.details).toMatchObject({
      file,
      scripts: [join(dir, 'prepare.sh')],
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    })
    expect(existsSync(ran)).toBe(false)
    expect(service.listInstances()).toEqual([])
  })

  it('trusting needs the hash that was shown; then the world starts and its script runs', async () => {
    const { sha256 } = (await refusal(service.handlers.worldUp({ world: file }))).details as {
      sha256: string
    }
    const wrong = await refusal(service.handlers.trustWorld({ world: file, sha256: '0'.repeat(64) }))
    expect(wrong.code).toBe('WORLD_CHANGED')
    await service.handlers.trustWorld({ world: file, sha256 })
    const status = await service.handlers.worldUp({ world: file })
    expect(status.failed).toEqual([])
    expect(readFileSync(ran, 'utf8')).toBe('ran\n')
    await service.handlers.worldDown({ world: 'trust-me' })
  })

  it('a restart runs the scripts only as they were trusted: edited since, it is refused', async () => {
    const status = await service.handlers.worldUp({ world: file })
    const id = status.instances[0]!.id
    const before = readFileSync(ran, 'utf8')
    appendFileSync(join(dir, 'prepare.sh'), 'echo edited-after-up\n')
    const err = await refusal(service.handlers.restartInstance({ id }))
    expect(err.code).toBe('WORLD_NOT_TRUSTED')
    expect(readFileSync(ran, 'utf8')).toBe(before)
    await service.handlers.worldDown({ world: 'trust-me' })
  })

  it('an edited script asks again', async () => {
    appendFileSync(join(dir, 'prepare.sh'), 'echo changed\n')
    const before = readFileSync(ran, 'utf8')
    const err = await refusal(service.handlers.worldUp({ world: file }))
    expect(err.code).toBe('WORLD_NOT_TRUSTED')
    expect(err.message).toContain('changed since you trusted them')
    expect(readFileSync(ran, 'utf8')).toBe(before)
  })

  it('the trust is kept in the store, by file and hash', async () => {
    expect(service.store.trustedHash(file)).toMatch(/^[0-9a-f]{64}$/)
  })
})
