import { ENGINE_PATH_SETTINGS, type ErrorShape, type MethodName } from '../../contract/api.ts'

/**
 * Who is calling: the desktop window over IPC, a browser over the WebSocket, the CLI over the
 * control socket, or code in this same process (trusted: it could do anything anyway).
 */
export type Caller = 'desktop' | 'web' | 'control' | 'local'

const enginePaths: readonly string[] = ENGINE_PATH_SETTINGS
/** Any later setting named like a program or a path is held to the same rule. */
const PATH_LIKE = /(binary|path|socket|command|script)$/i

/**
 * What a caller may not do even with valid input: only code in this process may point an engine
 * setting at a program or socket (the desktop app does it after its file dialog and confirmation).
 */
export function refusedFor(caller: Caller, method: MethodName, params: unknown): ErrorShape | undefined {
  if (caller === 'local' || method !== 'setSetting') return undefined
  const { key, value } = params as { key: string; value: unknown }
  if (!(enginePaths.includes(key) || PATH_LIKE.test(key)) || value === '' || value === null) return undefined
  return {
    code: 'SETTING_DESKTOP_ONLY',
    message: `"${key}" names a program or socket Worldbench would use, so it cannot be set through ${
      caller === 'web' ? 'web mode' : caller === 'control' ? 'the control socket' : 'this call'
    }.`,
    hint: 'Leave it empty to use the engine discovery finds, or choose one in the desktop app: Engines → Choose… (a file dialog, then a confirmation).',
    details: { key },
  }
}
