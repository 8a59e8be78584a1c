import { api } from '../api.ts'

/**
 * Runs `start`; when the world's scripts are not trusted yet, shows what they are and asks, then
 * trusts exactly what was shown (by its hash) and runs `start` again. Cancel runs nothing.
 */
export async function withTrust<T>(start: () => Promise<T>): Promise<T> {
  try {
    return await start()
  } catch (err) {
    const e = err as { code?: string; message: string; details?: { file?: string; sha256?: string } }
    const { file, sha256 } = e.details ?? {}
    if (e.code !== 'WORLD_NOT_TRUSTED' || !file || !sha256) throw err
    if (!window.confirm(`${e.message}\n\nLet them run?`)) throw err
    await api.trustWorld({ world: file, sha256 })
    return start()
  }
}
