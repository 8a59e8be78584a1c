import { createService } from '../../create-service.ts'
import { startWebServer } from '../../server.ts'
import { controlSocketPath, listenControlSocket } from '../../transport/control-socket.ts'
import { untilInterrupted } from '../output.ts'

/** Web mode: the service, its control socket, and the UI over HTTP + WebSocket on 127.0.0.1. */
export async function serveCommand(opts: { port: string; host: string; json?: boolean }): Promise<number> {
  const service = createService()
  const control = await listenControlSocket(service.handlers, service.bus)
  let web: Awaited<ReturnType<typeof startWebServer>>
  try {
    web = await startWebServer({
      handlers: service.handlers,
      bus: service.bus,
      host: opts.host,
      port: Number(opts.port),
    })
  } catch (err) {
    control.close()
    await service.close({ stopAll: false })
    throw err
  }
  await service.start({ restoreWorlds: true })
  if (opts.json)
    process.stdout.write(
      `${JSON.stringify({ url: web.url, origin: web.origin, controlSocket: controlSocketPath() })}\n`,
    )
  else
    process.stdout.write(`Worldbench is serving on ${web.origin}\nOpen ${web.url}\nPress Ctrl-C to stop.\n`)
  await untilInterrupted()
  process.stderr.write('Stopping: every workload this service runs is stopped…\n')
  await web.close()
  control.close()
  await service.close({ stopAll: true })
  return 0
}
