import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Handlers } from '../../contract/api.ts'
import { dispatch } from '../../main/transport/dispatch.ts'
import { jsonDepthExceeds } from '../../main/transport/limits.ts'

/** Nesting depth of a parsed JSON value: what jsonDepthExceeds must find without parsing. */
function depth(v: unknown): number {
  if (Array.isArray(v)) return 1 + Math.max(0, ...v.map(depth))
  if (v !== null && typeof v === 'object') return 1 + Math.max(0, ...Object.values(v).map(depth))
  return 0
}

describe('jsonDepthExceeds', () => {
  it('agrees with the depth of the parsed value for any JSON, brackets inside strings included', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 10 }), (value, max) => {
        const text = JSON.stringify(value)
        expect(jsonDepthExceeds(text, max)).toBe(depth(value) > max)
      }),
      { numRuns: 500 },
    )
  })

  it('stops at the limit on 100,000 open brackets', () => {
    expect(jsonDepthExceeds('['.repeat(100_000), 64)).toBe(true)
    expect(jsonDepthExceeds(JSON.stringify({ s: '['.repeat(100_000) }), 64)).toBe(false)
  })
})

describe('engine paths by caller', () => {
  // A recording handler, not the service: the test sees exactly which calls got past dispatch.
  const set: string[] = []
  const handlers = {
    setSetting: async ({ key, value }: { key: string; value: unknown }) => {
      set.push(`${key}=${String(value)}`)
      return {}
    },
  } as unknown as Handlers

  it.each(['web', 'control', 'desktop'] as const)(
    '%s may clear an engine path but not set one',
    async (caller) => {
      for (const key of ['vm.qemuBinary', 'container.socket', 'future.helperBinary']) {
        const res = await dispatch(handlers, 'setSetting', { key, value: '/tmp/x.sh' }, caller)
        expect(res).toMatchObject({ ok: false, error: { code: 'SETTING_DESKTOP_ONLY' } })
        expect(await dispatch(handlers, 'setSetting', { key, value: '' }, caller)).toMatchObject({ ok: true })
      }
      expect(await dispatch(handlers, 'setSetting', { key: 'theme', value: 'dark' }, caller)).toMatchObject({
        ok: true,
      })
    },
  )

  it('code in the service process itself (the desktop file dialog) may set one', async () => {
    expect(
      await dispatch(handlers, 'setSetting', { key: 'vm.qemuBinary', value: '/usr/bin/qemu' }),
    ).toMatchObject({
      ok: true,
    })
    expect(set).toContain('vm.qemuBinary=/usr/bin/qemu')
    expect(set).not.toContain('vm.qemuBinary=/tmp/x.sh')
  })
})
