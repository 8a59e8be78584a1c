import { StringDecoder } from 'node:string_decoder'
import { WorldbenchError } from '../../core/errors.ts'
import type { TerminalStream } from '../../core/runtime.ts'
import type { Workload } from '../../core/world/schema.ts'
import type { FromHost } from './host/protocol.ts'
import { hostConfigOf, wasmSpec } from './host-config.ts'
import { LineDiscipline } from './line-discipline.ts'
import { forkHostWithStdin } from './spawn-host.ts'

const ID = 'terminal'

/**
 * A terminal into a Wasm command: a fresh run of its module in a host process of its own, with
 * the workload's args, env, directories and limits and nothing more, reading the session as its
 * stdin and writing to it. The instance's own run cannot be attached to: Node's WASI takes its
 * stdin as an fd fixed at start, and an empty one is what it has been reading.
 */
export async function commandTerminal(w: Workload): Promise<TerminalStream> {
  const spec = wasmSpec(w)
  if (spec.serve !== 'command')
    throw new WorldbenchError(
      'WASM_NO_STDIN',
      `${w.name} serves HTTP (serve: ${spec.serve}): it has no stdin to type into.`,
      'Open its URL instead: only serve: command workloads get a terminal. What it prints is in Logs.',
    )
  const host = forkHostWithStdin()
  const decoder = new StringDecoder('utf8')
  const dataListeners: ((data: string) => void)[] = []
  const exitListeners: ((reason?: string) => void)[] = []
  // What comes before the session listens (the grants line, a first prompt) waits for it.
  const early: string[] = []
  const show = (text: string) => {
    if (dataListeners.length === 0) early.push(text)
    for (const l of dataListeners) l(text)
  }
  // Lines end in \r\n on a terminal; the guest writes \n.
  const output = (chunk: Buffer) => show(decoder.write(chunk).replace(/\r?\n/g, '\r\n'))
  host.stdout.on('data', output)
  host.stderr.on('data', output)
  let reason: string | undefined
  let ended = false
  const ready = new Promise<void>((resolve, reject) => {
    host.onMessage((m: FromHost) => {
      if (m.type === 'ready') resolve()
      else if (m.type === 'log' && m.line.stream === 'system')
        show(`\u001b[2m[worldbench] ${m.line.line}\u001b[0m\r\n`)
      else if (m.type === 'exit') reason ??= `exited with code ${m.code}`
      else if (m.type === 'error' && m.fatal) {
        reason ??= `${m.error.code}: ${m.error.message}`
        reject(new WorldbenchError(m.error.code, m.error.message, m.error.hint, m.error.details))
      }
    })
    host.onExit((code, signal) => {
      ended = true
      reject(
        new WorldbenchError(
          'WASM_HOST_EXITED',
          `The Wasm host for ${w.name} ended (${signal ?? code}).`,
          'Try again; its logs say more.',
        ),
      )
      for (const l of exitListeners) l(reason ?? `ended (${signal ?? `exit ${code}`})`)
    })
  })
  host.send({
    type: 'start',
    id: ID,
    config: { ...hostConfigOf(w, spec.module, 'module'), stdin: 'process' },
    own: true,
  })
  const stop = (why: string) => {
    if (ended) return
    reason ??= why
    host.send({ type: 'stop' })
    setTimeout(() => host.kill('SIGKILL'), 2000).unref()
  }
  const line = new LineDiscipline({
    echo: show,
    send: (text) => host.stdin?.write(text),
    eof: () => host.stdin?.end(),
    interrupt: () => stop('interrupted (Ctrl-C)'),
  })
  try {
    await ready
  } catch (err) {
    host.kill('SIGKILL')
    throw err
  }
  return {
    title: `${w.name}: a fresh run of the command, this terminal is its stdin and stdout`,
    write: (data) => {
      if (!ended) line.feed(data)
    },
    // A pipe has no window size.
    resize: async () => undefined,
    onData: (listener) => {
      dataListeners.push(listener)
      for (const text of early.splice(0)) listener(text)
    },
    onExit: (listener) => exitListeners.push(listener),
    close: () => stop('closed'),
  }
}
