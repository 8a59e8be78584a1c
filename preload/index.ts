// window.worldbench: each method returns the transport envelope ({ ok, result } or { ok: false,
// error }), because Error objects lose their code and hint when they cross the context bridge;
// renderer/api.ts unwraps it.
import { contextBridge, type IpcRendererEvent, ipcRenderer } from 'electron'
import { type EventName, ipcEventChannel } from '../contract/api.ts'
import { buildBridge } from './bridge.ts'

const bridge = buildBridge({
  invoke: (channel, params) => ipcRenderer.invoke(channel, params),
  onEvent(listener) {
    const handler = (_e: IpcRendererEvent, msg: { event: EventName; data: unknown }) => listener(msg)
    ipcRenderer.on(ipcEventChannel, handler)
    return () => ipcRenderer.off(ipcEventChannel, handler)
  },
})

contextBridge.exposeInMainWorld('worldbench', bridge)
