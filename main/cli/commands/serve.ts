import { startOwner } from '../../owner.ts'
import { startWebServer } from '../../server.ts'
import { controlSocketPath } from '../../transport/control-socket.ts'
import { untilInterrupted } from '../output.ts'

/** Web mode: the service, its control socket, and the UI over HTTP + WebSocket on 127.0.0.1. */
export async function serveCommand(opts: { port: string; host: string; json?: boolean }): Promise<number> {
  // Refuses at once (ALREADY_RUNNING) when another process owns the state dir.
  const owner = await startOwner('serve', { restoreWorlds: true })
  let web: Awaited<ReturnType<typeof startWebServer>>
  try {
    web = await startWebServer({
      handlers: owner.service.handlers,
      bus: owner.service.bus,
      host: opts.host,
      port: Number(opts.port),
    })
  } catch (err) {
    await owner.close({ stopAll: false })
    throw err
  }
  if (opts.json)
    process.stdout.write(
      `${JSON.stringify({ url: web.url, origin: web.origin, controlSocket: controlSocketPath() })}\n`,
    )
  else
    process.stdout.write(`Worldbench is serving on ${web.origin}\nOpen ${web.url}\nPress Ctrl-C to stop.\n`)
  await untilInterrupted()
  process.stderr.write('Stopping: every workload this service runs is stopped…\n')
  await web.close()
  await owner.close({ stopAll: true })
  return 0
}
