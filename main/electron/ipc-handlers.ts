import { type Handlers, ipcChannel, methodNames } from '../../contract/api.ts'
import { type DispatchResult, dispatch } from '../transport/dispatch.ts'

/** One IPC handler per contract method, keyed by channel, generated from the list. */
export function ipcHandlers(handlers: Handlers, trusted: (senderUrl: string | undefined) => boolean) {
  const out = new Map<string, (senderUrl: string | undefined, params: unknown) => Promise<DispatchResult>>()
  for (const method of methodNames) {
    out.set(ipcChannel(method), async (senderUrl, params) => {
      if (!trusted(senderUrl)) {
        return {
          ok: false,
          error: {
            code: 'FORBIDDEN',
            message: 'IPC from an untrusted frame was refused.',
            hint: 'Only the Worldbench window may call the API.',
          },
        }
      }
      return dispatch(handlers, method, params, 'desktop')
    })
  }
  return out
}

/** Only frames of our own app:// origin may call; parsed, never compared with startsWith. */
export function isTrustedSenderUrl(appOrigin: string, url: string | undefined): boolean {
  return url !== undefined && originOf(url) === appOrigin
}

/** scheme://host of a URL; URL.origin is "null" for custom schemes outside Electron, so build it. */
export function originOf(raw: string): string | undefined {
  try {
    const url = new URL(raw)
    return `${url.protocol}//${url.host}`
  } catch {
    return undefined
  }
}
