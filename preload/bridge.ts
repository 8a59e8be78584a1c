import { type EventName, ipcChannel, methodNames } from '../contract/api.ts'

export interface IpcLike {
  invoke(channel: string, params: unknown): Promise<unknown>
  onEvent(listener: (msg: { event: EventName; data: unknown }) => void): () => void
}

/** The object exposed as window.worldbench: one function per contract method, generated from the list. */
export function buildBridge(ipc: IpcLike): Record<string, unknown> {
  const bridge: Record<string, unknown> = {}
  for (const method of methodNames) {
    bridge[method] = (params?: unknown) => ipc.invoke(ipcChannel(method), params)
  }
  bridge.on = (event: EventName, listener: (data: unknown) => void) =>
    ipc.onEvent((msg) => {
      if (msg.event === event) listener(msg.data)
    })
  return bridge
}
