import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ENGINE_PATH_SETTINGS } from '../../contract/api.ts'
import { KINDS } from '../../contract/kinds.ts'
import { checkSetting, kindInfo, settingsFor } from '../../main/core/runtime-descriptor.ts'
import { RuntimeRegistry } from '../../main/core/runtime-registry.ts'
import { Store } from '../../main/core/store.ts'
import { DESCRIPTORS } from '../../main/runtimes/descriptors.ts'
import { WorldbenchService } from '../../main/service.ts'

const of = (kind: string) => DESCRIPTORS.find((d) => d.kind === kind)!

describe('runtime descriptors', () => {
  it('one per kind, each pointing at its own world format', () => {
    expect(DESCRIPTORS.map((d) => d.kind).sort()).toEqual([...KINDS].sort())
    for (const d of DESCRIPTORS) expect(d.format.kind).toBe(d.kind)
  })

  it('the engine-path settings the contract guards are exactly the descriptors’ engine-path settings', () => {
    const paths = DESCRIPTORS.flatMap((d) => kindInfo(d).settings)
      .filter((s) => s.control === 'engine-path')
      .map((s) => s.key)
    expect(paths.sort()).toEqual([...ENGINE_PATH_SETTINGS].sort())
  })

  it('a kind setting that does not exist, or a value its schema refuses, is refused by name', () => {
    expect(() => checkSetting(DESCRIPTORS, 'container.sockett', '/x')).toThrow(
      /not a setting of the container runtime/,
    )
    expect(() => checkSetting(DESCRIPTORS, 'wasm.spareHost', 'maybe')).toThrow(/wasm.spareHost.*on or off/)
    expect(() => checkSetting(DESCRIPTORS, 'vm.qemuBinary', 42)).toThrow(/vm.qemuBinary/)
    expect(() => checkSetting(DESCRIPTORS, 'wasm.spareHost', 'OFF')).not.toThrow()
    // Keys that name Object's own properties are unknown settings, not a crash.
    for (const key of ['wasm.__proto__', 'wasm.constructor', 'container.toString'])
      expect(() => checkSetting(DESCRIPTORS, key, true)).toThrow(/not a setting of the/)
    expect(settingsFor(of('wasm'), { 'wasm.__proto__': 1, 'wasm.constructor': true })).toEqual({})
    expect(() => checkSetting(DESCRIPTORS, 'theme', { dark: true })).not.toThrow()
  })

  it('stored settings are typed per kind; an invalid stored value is left out (discovery again)', () => {
    const all = { 'container.socket': '/run/a.sock', 'vm.qemuBinary': 7, 'wasm.spareHost': false, theme: 'x' }
    expect(settingsFor(of('container'), all)).toEqual({ socket: '/run/a.sock' })
    expect(settingsFor(of('vm'), all)).toEqual({})
    expect(settingsFor(of('wasm'), all)).toEqual({ spareHost: false })
  })

  it('the service answers kinds() from the descriptors and refuses a bad setting without storing it', async () => {
    const store = new Store(join(mkdtempSync(join(tmpdir(), 'wb-desc-')), 'wb.db'))
    const service = new WorldbenchService({
      registry: new RuntimeRegistry(),
      store,
      descriptors: DESCRIPTORS,
    })
    try {
      const kinds = await service.handlers.kinds(undefined)
      expect(kinds.map((k) => k.kind)).toEqual(DESCRIPTORS.map((d) => d.kind))
      expect(kinds.find((k) => k.kind === 'vm')!.notMeasured.network).toMatch(/QEMU/)
      await expect(
        service.handlers.setSetting({ key: 'wasm.spareHost', value: 'maybe' }),
      ).rejects.toMatchObject({
        code: 'SETTING_INVALID',
      })
      expect(store.getSettings()).toEqual({})
    } finally {
      store.close()
    }
  })
})
