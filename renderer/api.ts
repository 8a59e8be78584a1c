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
} from '../contract/api.ts'
import { createRpcClient, RemoteError } from '../contract/rpc-client.ts'
import { connection, setConnection } from './lib/connection.ts'

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

/**
 * The contract over a WebSocket that comes back by itself: when the service goes away, calls
 * under way fail, the banner says so, and the socket is reopened with a growing delay; calls made
 * meanwhile wait and go out once it is open again.
 */
function fromWebSocket(): WorldbenchApi {
  const url = new URL('/api', window.location.href)
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  const queue: string[] = []
  let ws: WebSocket
  let receive: (msg: WireResponse | WireEvent) => void = () => undefined
  let closed: (reason: Error) => void = () => undefined
  let failures = 0
  const open = () => {
    ws = new WebSocket(url)
    ws.addEventListener('open', () => {
      failures = 0
      setConnection('open')
      for (const m of queue.splice(0)) ws.send(m)
    })
    ws.addEventListener('message', (e) => receive(JSON.parse(String(e.data)) as WireResponse | WireEvent))
    ws.addEventListener('close', () => {
      closed(new Error('The connection to the Worldbench service was lost; it is being restored.'))
      if (connection.state() === 'open') failures = 0
      else failures++
      setConnection('reconnecting', failures)
      setTimeout(open, Math.min(500 * 2 ** failures, 5000))
    })
  }
  open()
  return createRpcClient({
    send(msg) {
      const text = JSON.stringify(msg)
      if (ws.readyState === WebSocket.OPEN) ws.send(text)
      else queue.push(text)
    },
    onMessage(r) {
      receive = r
    },
    onClose(c) {
      closed = c
    },
  })
}

export const api: WorldbenchApi = window.worldbench ? fromBridge(window.worldbench) : fromWebSocket()
// Electron's IPC does not drop: the service lives in the same app.
if (window.worldbench) setConnection('open')

export function onEvent<E extends EventName>(event: E, listener: (data: EventMap[E]) => void): () => void {
  return api.on(event, listener)
}

export { RemoteError }
