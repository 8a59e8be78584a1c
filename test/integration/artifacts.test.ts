import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService } from '../../main/create-service.ts'
import type { WorldbenchService } from '../../main/service.ts'
import { trustTestWorld } from './helpers.ts'

const docker = (args: string[]) => promisify(execFile)('docker', args)
const world = join(process.cwd(), 'test/fixtures/worlds/dash/world.yaml')

/** A one-file image of this test's own (docker import), so removing it touches nothing else. */
async function throwawayImage(tag: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'wb-img-'))
  writeFileSync(join(dir, 'hello.txt'), `${tag}\n`)
  try {
    const tar = spawn('tar', ['-cf', '-', '-C', dir, 'hello.txt'])
    const imp = spawn('docker', ['import', '-', tag], { stdio: ['pipe', 'pipe', 'inherit'] })
    tar.stdout.pipe(imp.stdin)
    let out = ''
    imp.stdout.on('data', (d) => (out += d))
    await new Promise((r) => imp.once('exit', r))
    return out.trim()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('images and modules', () => {
  let service: WorldbenchService

  beforeAll(() => {
    service = createService()
  })
  afterAll(async () => {
    await service.close({ stopAll: true })
  })

  it('lists images with size and users, the Wasm module with its hash, and removes only what is unused', async () => {
    await trustTestWorld(service, world)
    const up = await service.handlers.worldUp({ world })
    expect(up.failed).toEqual([])
    const tag = `wb-ui-test/remove-me:${process.pid}`
    const id = await throwawayImage(tag)
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/)

    const listed = await service.handlers.listArtifacts(undefined)
    const dash = listed.images.find((i) => i.tags.includes('worldbench/e2e-dash:1'))!
    expect(dash.bytes).toBeGreaterThan(100_000)
    expect(dash.createdAt).toBeGreaterThan(Date.UTC(2020, 0, 1))
    expect(dash.usedBy.some((u) => u.endsWith('(running)'))).toBe(true)
    const mine = listed.images.find((i) => i.id === id)!
    expect(mine.tags).toEqual([tag])
    expect(mine.usedBy).toEqual([])
    const module = listed.files.find((f) => f.kind === 'wasm')!
    expect(module.usedBy).toEqual(['e2e-dash/dash-wasm'])
    expect(module.wasm).toMatchObject({ format: 'module', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) })
    expect(module.bytes).toBeGreaterThan(1000)

    await expect(service.handlers.removeImage({ id: dash.id })).rejects.toMatchObject({
      code: 'IMAGE_IN_USE',
    })
    await service.handlers.removeImage({ id })
    await expect(docker(['image', 'inspect', id])).rejects.toThrow()
    await expect(service.handlers.removeImage({ id })).rejects.toMatchObject({ code: 'NO_SUCH_IMAGE' })
    await service.handlers.worldDown({ world: 'e2e-dash' })
  })
})
