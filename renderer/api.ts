// The one way the UI reaches the backend, in Electron (window.worldbench over IPC) and in web
// mode (a WebSocket to the server that served this page; its cookie carries the token).
import type {
  ErrorShape,
  EventMap,
  EventName,
  MethodName,
  WireEvent,
  WireResponse,
  WorldbenchApi,
} from '../preload/api.ts'
import { createRpcClient, RemoteError } from '../preload/rpc-client.ts'

type Envelope = { ok: true; result: unknown } | { ok: false; error: ErrorShape }
type Bridge = Record<MethodName, (params?: unknown) => Promise<Envelope>> & {
  on(event: EventName, listener: (data: unknown) => void): () => void
}

declare global {
  interface Window {
    worldbench?: Bridge
  }
}

function fromBridge(bridge: Bridge): WorldbenchApi {
  return new Proxy({} as WorldbenchApi, {
    get(_target, prop: string) {
      if (prop === 'on') return bridge.on
      const fn = bridge[prop as MethodName]
      if (typeof fn !== 'function') return undefined
      return async (params?: unknown) => {
        const res = await fn(params)
        if (!res.ok) throw new RemoteError(res.error)
        return res.result
      }
    },
  })
}

function fromWebSocket(): WorldbenchApi & { connected: Promise<void> } {
  const url = new URL('/api', window.location.href)
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  const ws = new WebSocket(url)
  const queue: string[] = []
  const connected = new Promise<void>((resolve) => ws.addEventListener('open', () => resolve()))
  ws.addEventListener('open', () => {
    for (const m of queue.splice(0)) ws.send(m)
  })
  const client = createRpcClient({
    send(msg) {
      const text = JSON.stringify(msg)
      if (ws.readyState === WebSocket.OPEN) ws.send(text)
      else queue.push(text)
    },
    onMessage(receive) {
      ws.addEventListener('message', (e) => receive(JSON.parse(String(e.data)) as WireResponse | WireEvent))
    },
    onClose(closed) {
      ws.addEventListener('close', () =>
        closed(new Error('The connection to Worldbench closed. Reload the page.')),
      )
    },
  })
  return Object.assign(client, { connected })
}

export const api: WorldbenchApi = window.worldbench ? fromBridge(window.worldbench) : fromWebSocket()

export function onEvent<E extends EventName>(event: E, listener: (data: EventMap[E]) => void): () => void {
  return api.on(event, listener)
}

export { RemoteError }
