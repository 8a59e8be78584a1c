import { StringDecoder } from 'node:string_decoder'
import type Docker from 'dockerode'
import { WorldbenchError } from '../../core/errors.ts'
import type { TerminalStream } from '../../core/runtime.ts'

/** Shells to try, best first: images as small as ours have only busybox. */
const SHELLS: { path: string; cmd: string[] }[] = [
  { path: '/bin/bash', cmd: ['/bin/bash'] },
  { path: '/bin/sh', cmd: ['/bin/sh'] },
  { path: '/bin/busybox', cmd: ['/bin/busybox', 'sh'] },
]

async function findShell(c: Docker.Container): Promise<string[]> {
  for (const s of SHELLS) {
    // GET /containers/{id}/archive answers 404 when the path is not in the container. The tar
    // itself is not wanted: the stream is dropped at once. (HEAD, infoArchive, would be lighter,
    // but dockerode leaves its socket open for the engine's five-minute idle timeout.)
    const tar = (await c.getArchive({ path: s.path }).catch(() => undefined)) as
      | { destroy(): void }
      | undefined
    if (tar) {
      tar.destroy()
      return s.cmd
    }
  }
  throw new WorldbenchError(
    'NO_SHELL',
    'This container has no shell (/bin/bash, /bin/sh or /bin/busybox) to open a terminal with.',
    'Images built FROM scratch often have none: add busybox to the image, or read its logs instead.',
  )
}

/** `docker exec -it <container> sh` through the Engine API: a TTY, resizable, bytes both ways. */
export async function execTerminal(
  c: Docker.Container,
  size: { cols: number; rows: number },
): Promise<TerminalStream> {
  const cmd = await findShell(c)
  const exec = await c.exec({
    Cmd: cmd,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: true,
    // No COLUMNS/LINES: busybox prefers them to the TTY's size, so a resize would go unseen.
    Env: ['TERM=xterm-256color'],
  })
  const stream = (await exec.start({ hijack: true, stdin: true, Tty: true })) as NodeJS.ReadWriteStream & {
    destroy(): void
  }
  // One resize at a time, in order: the last size asked for is the one the TTY keeps.
  let resizing = Promise.resolve()
  const resize = (cols: number, rows: number): Promise<void> => {
    resizing = resizing.then(() => exec.resize({ w: cols, h: rows })).catch(() => undefined)
    return resizing
  }
  await resize(size.cols, size.rows)
  // A multi-byte character may be split between two chunks.
  const decoder = new StringDecoder('utf8')
  let ended = false
  const exitListeners: ((reason?: string) => void)[] = []
  const ended$ = () => {
    // Nothing more comes from a shell that ended: free its socket.
    stream.destroy()
    if (ended) return
    ended = true
    void exec
      .inspect()
      .then((i) => `exited with code ${i.ExitCode ?? '?'}`)
      .catch(() => undefined)
      .then((reason) => {
        for (const l of exitListeners) l(reason)
      })
  }
  stream.on('end', ended$)
  stream.on('close', ended$)
  stream.on('error', ended$)
  return {
    title: `${cmd.join(' ')} in the container`,
    write: (data) => {
      if (!ended) stream.write(data)
    },
    resize,
    onData: (listener) => stream.on('data', (chunk: Buffer) => listener(decoder.write(chunk))),
    onExit: (listener) => exitListeners.push(listener),
    close: () => {
      if (ended) return
      // Ctrl-D then hang up: the shell exits instead of lingering in the container.
      stream.write('\u0004')
      stream.end()
      setTimeout(() => stream.destroy(), 1000).unref()
    },
  }
}
