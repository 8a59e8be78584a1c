import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { RuntimeRegistry } from '../../main/core/runtime-registry.ts'
import { Store } from '../../main/core/store.ts'
import { checkWorldText, MAX_WORLD_BYTES, validateWorldFile } from '../../main/core/world/load.ts'
import { WorldbenchService } from '../../main/service.ts'

const DIR = join(import.meta.dirname, '..', 'fixtures', 'worlds-hostile')
const { expect: EXPECTED } = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as {
  expect: Record<string, string>
}
const tmp = mkdtempSync(join(tmpdir(), 'wb-hostile-worlds-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

/** Refused, with every issue located (file, line, column); the issues as text for matching. */
async function refusedWithLocations(file: string): Promise<string> {
  const { world, issues } = await validateWorldFile(file)
  expect(world, `${file} was accepted`).toBeUndefined()
  expect(issues.length).toBeGreaterThan(0)
  for (const i of issues) {
    expect(i.file).toBe(file)
    expect(i.line, JSON.stringify(i)).toBeGreaterThanOrEqual(1)
    expect(i.column, JSON.stringify(i)).toBeGreaterThanOrEqual(1)
  }
  return issues.map((i) => `${i.path}: ${i.message}`).join('\n')
}

describe('hostile world files are refused up front, each issue with file:line:column', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml'))

  it('the corpus is complete: every file has an expectation', () => {
    expect(files.sort()).toEqual(Object.keys(EXPECTED).sort())
    expect(files.length).toBeGreaterThanOrEqual(50)
  })

  it.each(files)('%s', async (name) => {
    const text = await refusedWithLocations(join(DIR, name))
    expect(text).toContain(EXPECTED[name])
    expect(text).not.toMatch(/bug in Worldbench/)
  })

  it('the issue points at the offending line, not at the top of the file', async () => {
    const { issues } = await validateWorldFile(join(DIR, 'bind-shell.yaml'))
    expect(issues[0]).toMatchObject({ line: 7, path: 'workloads.0.ports.0.bind' })
    const image = await validateWorldFile(join(DIR, 'image-shell.yaml'))
    expect(image.issues[0]).toMatchObject({ line: 6, message: expect.stringContaining('image reference') })
  })

  it('an empty file is refused at 1:1 with what it needs', async () => {
    const { issues } = await validateWorldFile(join(DIR, 'empty.yaml'))
    expect(issues).toEqual([
      expect.objectContaining({ line: 1, column: 1, message: expect.stringContaining('empty') }),
    ])
  })

  it('a 10 MB world file gets its verdict from its size, before any parsing', async () => {
    const big = join(tmp, 'big.yaml')
    writeFileSync(big, `apiVersion: worldbench/v1\n# ${'x'.repeat(10 * 1024 * 1024)}\n`)
    expect(await refusedWithLocations(big)).toContain('larger than')
    expect(checkWorldText(big, 'a'.repeat(MAX_WORLD_BYTES + 1)).issues[0]?.message).toContain('larger than')
  })

  it('a device, a folder or a missing file is refused without reading it', async () => {
    expect(await refusedWithLocations('/dev/zero')).toContain('not a regular file')
    expect(await refusedWithLocations(tmp)).toContain('not a regular file')
    expect(await refusedWithLocations(join(tmp, 'nope.yaml'))).toContain('cannot read')
  })

  it('accepts the bounds themselves: 255 vCPUs, 1 TiB, an IPv6 bind, a registry image with a digest', () => {
    const ok = checkWorldText(
      join(tmp, 'ok.yaml'),
      `apiVersion: worldbench/v1
name: edges
workloads:
  - name: box
    kind: vm
    vm: { kernel: ./k, memoryMiB: 1048576, cpus: 255 }
  - name: web
    kind: container
    container: { image: "registry.example:5000/team/web@sha256:${'a'.repeat(64)}" }
    ports: [{ guest: 80, bind: "::1" }]
    env: { "lower.dotted-name": "v", PATH: "/bin" }
`,
    )
    expect(ok.issues).toEqual([])
  })
})

describe('one broken saved world never breaks the listing', () => {
  it('listWorlds reports it as broken, with its location, and lists the others', () => {
    const dir = join(tmp, 'saved')
    mkdirSync(dir)
    const good = join(dir, 'good.yaml')
    const bad = join(dir, 'bad.yaml')
    writeFileSync(
      good,
      'apiVersion: worldbench/v1\nname: good\nworkloads:\n  - { name: a, kind: container, container: { image: busybox } }\n',
    )
    writeFileSync(bad, readFileSync(join(DIR, 'alias-bomb.yaml')))
    const store = new Store(join(dir, 'wb.db'))
    store.setWorld('good', good, 'down')
    store.setWorld('bad', bad, 'up')
    const service = new WorldbenchService({ registry: new RuntimeRegistry(), store })
    try {
      const listed = service.listWorlds().filter((w) => !w.sample)
      expect(listed.map((w) => [w.name, w.broken === undefined])).toEqual([
        ['bad', false],
        ['good', true],
      ])
      expect(listed[0]!.broken).toMatch(new RegExp(`${bad}:1:1 .*alias`))
    } finally {
      store.close()
    }
  })
})
