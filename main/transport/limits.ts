import type { ErrorShape } from '../../contract/api.ts'

/** What one request may be: larger or deeper messages are answered with an error, never parsed. */
export const MAX_MESSAGE_BYTES = 1 << 20
export const MAX_JSON_DEPTH = 64
/** Requests one connection may have running at once; more are refused until some finish. */
export const MAX_IN_FLIGHT = 32
/** Answers and events queued for a client that does not read them; past this it is dropped. */
export const MAX_QUEUED_BYTES = 16 << 20

/**
 * The deepest nesting of arrays and objects in a JSON text, counted without parsing it, stopping
 * as soon as `max` is passed: zod's recursive schemas (z.json) overflow the stack long before
 * JSON.parse does, so the depth is checked first.
 */
export function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      // A backslash escapes the next character, which then cannot end the string.
      if (c === 0x5c) i++
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true
    } else if (c === 0x5d || c === 0x7d) depth--
  }
  return false
}

export const limitErrors = {
  tooLarge: (): ErrorShape => ({
    code: 'MESSAGE_TOO_LARGE',
    message: `Request larger than ${MAX_MESSAGE_BYTES >> 20} MiB.`,
    hint: 'Send smaller requests; the connection is closed.',
  }),
  tooDeep: (): ErrorShape => ({
    code: 'MESSAGE_TOO_DEEP',
    message: `Request nests arrays or objects deeper than ${MAX_JSON_DEPTH} levels.`,
    hint: 'Flatten the value; no API method needs that depth.',
  }),
  badJson: (): ErrorShape => ({
    code: 'BAD_MESSAGE',
    message: 'Request is not valid JSON.',
    hint: 'Send one JSON object per message.',
  }),
  busy: (): ErrorShape => ({
    code: 'TOO_MANY_REQUESTS',
    message: `More than ${MAX_IN_FLIGHT} requests are running on this connection.`,
    hint: 'Wait for answers before sending more.',
  }),
}
