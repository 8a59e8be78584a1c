import { ipcMain, type WebContents } from 'electron'
import { type Handlers, ipcEventChannel } from '../../contract/api.ts'
import type { EventBus } from '../core/events.ts'
import { ipcHandlers, isTrustedSenderUrl } from './ipc-handlers.ts'
import { APP_ORIGIN } from './protocol.ts'

/** Wires the generated handlers to ipcMain and forwards the event bus to the window. */
export function registerIpc(
  handlers: Handlers,
  bus: EventBus,
  target: () => WebContents | undefined,
): () => void {
  const table = ipcHandlers(handlers, (url) => isTrustedSenderUrl(APP_ORIGIN, url))
  for (const [channel, handle] of table) {
    ipcMain.handle(channel, (event, params: unknown) => handle(event.senderFrame?.url, params))
  }
  const off = bus.onAny((event, data) => {
    const wc = target()
    if (wc && !wc.isDestroyed()) wc.send(ipcEventChannel, { event, data })
  })
  return () => {
    off()
    for (const channel of table.keys()) ipcMain.removeHandler(channel)
  }
}
