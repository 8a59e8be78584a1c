import { connect, type Socket } from 'node:net'
import { StringDecoder } from 'node:string_decoder'
import { WorldbenchError } from '../../core/errors.ts'
import type { Instance, TerminalStream } from '../../core/runtime.ts'
import { consoleSocketOf } from './instance-files.ts'

/** For launchArgs: the console socket of a VM whose QMP socket is given, when it can have one. */
export function consoleOption(qmpSocket: string): { consoleSocket?: string } {
  const consoleSocket = consoleSocketOf(qmpSocket)
  return consoleSocket ? { consoleSocket } : {}
}

/**
 * Interactive sessions on VMs' serial consoles. QEMU serves one client per chardev socket and
 * leaves a second one waiting unseen, so a new session takes over: the previous one ends first.
 */
export class VmConsoles {
  private readonly open = new Map<string, { socket: Socket; end: (reason: string) => void }>()

  async connect(i: Instance): Promise<TerminalStream> {
    const path = i.handle.qmpSocket ? consoleSocketOf(i.handle.qmpSocket) : undefined
    if (!path) throw noConsole(i, 'it has no console socket')
    this.open.get(i.id)?.end('another console session took over')
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(path)
      s.once('connect', () => resolve(s))
      s.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          err.code === 'ENOENT' || err.code === 'ECONNREFUSED'
            ? noConsole(i, 'its console socket is not there (a VM started by an older Worldbench)')
            : err,
        ),
      )
    })
    const decoder = new StringDecoder('utf8')
    const exitListeners: ((reason?: string) => void)[] = []
    let ended = false
    const end = (reason: string) => {
      if (this.open.get(i.id)?.socket === socket) this.open.delete(i.id)
      socket.destroy()
      if (ended) return
      ended = true
      for (const l of exitListeners) l(reason)
    }
    this.open.set(i.id, { socket, end })
    socket.on('close', () => end('the VM’s console closed (the VM stopped)'))
    socket.on('error', () => end('the VM’s console closed (the VM stopped)'))
    // A fresh prompt: the shell printed its first one before anyone was connected.
    socket.write('\r')
    return {
      title: 'serial console of the VM',
      write: (data) => {
        if (!ended) socket.write(data)
      },
      // A serial line carries no window size; `stty cols N rows M` in the guest sets one.
      resize: async () => undefined,
      onData: (listener) => socket.on('data', (chunk: Buffer) => listener(decoder.write(chunk))),
      onExit: (listener) => exitListeners.push(listener),
      close: () => end('closed'),
    }
  }

  closeAll(): void {
    for (const { end } of [...this.open.values()]) end('closed')
  }
}

function noConsole(i: Instance, why: string): WorldbenchError {
  return new WorldbenchError(
    'VM_NO_CONSOLE',
    `The VM ${i.workload} has no interactive console: ${why}.`,
    'Restart the VM to get one; its serial output is in Logs meanwhile.',
  )
}
