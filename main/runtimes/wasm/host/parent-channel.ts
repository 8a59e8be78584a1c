import type { FromHost, ToHost } from './protocol.ts'

/** The host's line to Worldbench: the same protocol over whichever channel started it. */
export interface ParentChannel {
  send(m: FromHost): void
  onMessage(listener: (m: ToHost) => void): void
  /** The parent is gone (Node's IPC channel closed). */
  onGone(listener: () => void): void
}

interface ParentPortLike {
  postMessage(message: unknown): void
  on(event: 'message', listener: (e: { data: unknown }) => void): void
}

/**
 * An Electron utility process has `process.parentPort`, and Electron ends it with the app; a
 * process from child_process.fork has Node's IPC channel, whose disconnect means the parent died.
 */
export function parentChannel(): ParentChannel {
  const port = (process as { parentPort?: ParentPortLike }).parentPort
  if (port)
    return {
      send: (m) => port.postMessage(m),
      onMessage: (listener) => port.on('message', (e) => listener(e.data as ToHost)),
      onGone: () => {},
    }
  return {
    send: (m) => {
      if (process.connected) process.send!(m)
    },
    onMessage: (listener) => process.on('message', (m) => listener(m as ToHost)),
    onGone: (listener) => process.on('disconnect', listener),
  }
}
