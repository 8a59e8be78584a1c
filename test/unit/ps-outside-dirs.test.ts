import { describe, expect, it } from 'vitest'
import { outsideDirs } from '../../main/cli/commands/ps.ts'

describe('ps: directories granted outside the world folder', () => {
  it('names only the dirs marked outside', () => {
    const definition = {
      wasm: {
        dirs: [
          { host: '/w/data', guest: '/data', writable: true, outside: false },
          { host: '/srv/shared', guest: '/shared', writable: false, outside: true },
        ],
      },
    }
    expect(outsideDirs(definition)).toEqual(['/srv/shared'])
    expect(outsideDirs({ container: {} })).toEqual([])
    expect(outsideDirs(undefined)).toEqual([])
  })
})
