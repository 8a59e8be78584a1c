import { describe, expect, it } from 'vitest'
import { RemoteError } from '../../contract/rpc-client.ts'
import { toUiError } from '../../renderer/lib/ui-error.ts'

describe('toUiError', () => {
  it('keeps all of a service error: code, message, hint and details', () => {
    const thrown = new RemoteError({
      code: 'WORLD_NOT_TRUSTED',
      message: 'hello runs prepare.sh',
      hint: 'Trust it to let it run.',
      details: { file: '/w/world.yaml', sha256: 'abc' },
    })
    expect(toUiError(thrown)).toEqual({
      code: 'WORLD_NOT_TRUSTED',
      message: 'hello runs prepare.sh',
      hint: 'Trust it to let it run.',
      details: { file: '/w/world.yaml', sha256: 'abc' },
    })
  })

  it("keeps a plain Error's message, which a spread alone would lose", () => {
    expect(toUiError(new TypeError('Failed to fetch'))).toEqual({ message: 'Failed to fetch' })
  })

  it('reads an error shape that crossed a bridge as a plain object, dropping fields of the wrong type', () => {
    expect(toUiError({ code: 'X', message: 'm', hint: 3, details: ['not', 'a', 'record'] })).toEqual({
      code: 'X',
      message: 'm',
    })
  })

  it('says something a person can read for what has no message', () => {
    expect(toUiError('plain text')).toEqual({ message: 'plain text' })
    expect(toUiError(new Error(''))).toEqual({ message: 'Error without a message.' })
    expect(toUiError(undefined).message).toContain('undefined')
    expect(toUiError(null).message).toContain('null')
  })
})
