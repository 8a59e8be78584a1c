import type { ErrorShape } from '../../contract/api.ts'

/**
 * What the UI shows of anything that went wrong: the service's error (code, message, hint,
 * details), or a plain failure of the page itself, which has no code.
 */
export interface UiError {
  code?: string
  message: string
  hint?: string
  details?: ErrorShape['details']
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function text(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key]
  return typeof v === 'string' && v !== '' ? v : undefined
}

/** Anything an API call or a page can throw (a RemoteError, an Error, a string…) as a UiError. */
export function toUiError(err: unknown): UiError {
  if (typeof err === 'string' && err !== '') return { message: err }
  if (!isRecord(err)) return { message: `Something failed without saying why (${String(err)}).` }
  // An Error's message and name are not enumerable: a spread alone would lose them.
  const o: Record<string, unknown> = { ...err, message: err.message, name: err.name }
  const code = text(o, 'code')
  const hint = text(o, 'hint')
  const details = o.details
  return {
    message: text(o, 'message') ?? `${text(o, 'name') ?? 'Error'} without a message.`,
    ...(code !== undefined && { code }),
    ...(hint !== undefined && { hint }),
    ...(isRecord(details) && { details }),
  }
}
