import { api } from '../api.ts'
import { toUiError } from './ui-error.ts'

/**
 * Runs `start`; when the world's scripts are not trusted yet, shows what they are and asks, then
 * trusts exactly what was shown (by its hash) and runs `start` again. Cancel runs nothing.
 */
export async function withTrust<T>(start: () => Promise<T>): Promise<T> {
  try {
    return await start()
  } catch (err) {
    const e = toUiError(err)
    const file = e.details?.file
    const sha256 = e.details?.sha256
    if (e.code !== 'WORLD_NOT_TRUSTED' || typeof file !== 'string' || typeof sha256 !== 'string') throw err
    if (!window.confirm(`${e.message}\n\nLet them run?`)) throw err
    await api.trustWorld({ world: file, sha256 })
    return start()
  }
}
