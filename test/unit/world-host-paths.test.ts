/**
 * A world may only reach the host where it says so: wasm.dirs[].host must be a real directory
 * inside the world's folder (or be marked "outside: true"), and no artifact path may leave the
 * folder through a symlink. Checked on a real folder with real symlinks.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  WASM_DEFAULT_MEMORY_MIB,
  WASM_DEFAULT_REQUEST_TIMEOUT_SECONDS,
} from '../../main/core/world/kinds/wasm-defaults.ts'
import { checkWorldText } from '../../main/core/world/load.ts'

function folder() {
  const base = mkdtempSync(join(tmpdir(), 'wb-world-'))
  const world = join(base, 'world')
  const elsewhere = join(base, 'elsewhere')
  mkdirSync(join(world, 'data'), { recursive: true })
  mkdirSync(elsewhere)
  writeFileSync(join(world, 'app.wasm'), '')
  writeFileSync(join(world, 'notes.txt'), 'x')
  writeFileSync(join(elsewhere, 'other.wasm'), '')
  return { world, elsewhere, file: join(world, 'world.yaml') }
}

const text = (wasm: string, extra = '') => `apiVersion: worldbench/v1
name: paths
workloads:
  - name: app
    kind: wasm
    wasm: ${wasm}
${extra}`

const dirs = (host: string, more = '') =>
  text(`{ module: ./app.wasm, dirs: [{ host: "${host}", guest: /data${more} }] }`)

function issueAt(file: string, yaml: string, path: string) {
  const { world, issues } = checkWorldText(file, yaml)
  expect(world).toBeUndefined()
  const i = issues.find((x) => x.path === path)
  expect(i, JSON.stringify(issues)).toBeDefined()
  return i!
}

describe('wasm.dirs[].host', () => {
  it('accepts a directory inside the world folder', () => {
    const f = folder()
    const { world, issues } = checkWorldText(f.file, dirs('./data', ', writable: true'))
    expect(issues).toEqual([])
    expect(world!.workloads[0]!.wasm!.dirs[0]!.host).toBe(join(f.world, 'data'))
  })

  it('refuses a directory that does not exist', () => {
    const f = folder()
    const i = issueAt(f.file, dirs('./nope'), 'workloads.0.wasm.dirs.0.host')
    expect(i.message).toMatch(/directory "\.\/nope" does not exist/)
    expect(i.line).toBe(6)
  })

  it('refuses a file', () => {
    const f = folder()
    expect(issueAt(f.file, dirs('./notes.txt'), 'workloads.0.wasm.dirs.0.host').message).toMatch(
      /is a file, not a directory/,
    )
  })

  it('refuses "/" and any folder outside the world unless it says outside: true', () => {
    const f = folder()
    expect(issueAt(f.file, dirs('/', ', writable: true'), 'workloads.0.wasm.dirs.0.host').message).toMatch(
      /leads outside the world's folder \(to \/\).*outside: true/,
    )
    expect(issueAt(f.file, dirs('../elsewhere'), 'workloads.0.wasm.dirs.0.host').message).toMatch(
      /leads outside the world's folder/,
    )
    const { world, issues } = checkWorldText(f.file, dirs('../elsewhere', ', outside: true'))
    expect(issues).toEqual([])
    expect(world!.workloads[0]!.wasm!.dirs[0]!.outside).toBe(true)
  })

  it('refuses a directory inside the folder that is a symlink to outside it', () => {
    const f = folder()
    symlinkSync(f.elsewhere, join(f.world, 'linked'))
    expect(issueAt(f.file, dirs('./linked'), 'workloads.0.wasm.dirs.0.host').message).toMatch(
      new RegExp(`to ${f.elsewhere}\\)`),
    )
  })
})

describe('artifact paths through symlinks', () => {
  it('refuses a module path whose symlinked folder leaves the world folder', () => {
    const f = folder()
    symlinkSync(f.elsewhere, join(f.world, 'mods'))
    const i = issueAt(f.file, text('{ module: ./mods/other.wasm }'), 'workloads.0.wasm.module')
    expect(i.message).toMatch(/leads outside the world's folder through a symlink/)
  })

  it('refuses a module that is itself a symlink to outside, even one not built yet', () => {
    const f = folder()
    symlinkSync(join(f.elsewhere, 'other.wasm'), join(f.world, 'ext.wasm'))
    expect(issueAt(f.file, text('{ module: ./ext.wasm }'), 'workloads.0.wasm.module').message).toMatch(
      /through a symlink/,
    )
    symlinkSync(f.elsewhere, join(f.world, 'gen'))
    expect(
      issueAt(f.file, text('{ module: ./gen/later/x.wasm }'), 'workloads.0.wasm.module').message,
    ).toMatch(/through a symlink/)
  })
})

describe('default limits of a Wasm workload', () => {
  it('caps memory and each CGI request, and promises nothing a component engine does not hold', () => {
    const f = folder()
    const cmd = checkWorldText(f.file, text('{ module: ./app.wasm }')).world!.workloads[0]!
    expect(cmd.limits).toEqual({ memoryMiB: WASM_DEFAULT_MEMORY_MIB })
    const cgi = checkWorldText(f.file, text('{ module: ./app.wasm, serve: cgi }')).world!.workloads[0]!
    expect(cgi.limits).toEqual({
      memoryMiB: WASM_DEFAULT_MEMORY_MIB,
      timeoutSeconds: WASM_DEFAULT_REQUEST_TIMEOUT_SECONDS,
    })
    const component = checkWorldText(f.file, text('{ module: ./app.wasm, serve: http }')).world!.workloads[0]!
    expect(component.limits).toEqual({})
    const own = checkWorldText(f.file, text('{ module: ./app.wasm }', '    limits: { memoryMiB: 32 }\n'))
      .world!.workloads[0]!
    expect(own.limits.memoryMiB).toBe(32)
  })
})
