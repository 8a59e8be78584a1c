import { WorldbenchError } from '../../core/errors.ts'
import { startOwner } from '../../owner.ts'
import { startWebServer } from '../../server.ts'
import { controlSocketPath } from '../../transport/control-socket.ts'
import { untilInterrupted } from '../output.ts'

/**
 * WORLDBENCH_TOKEN keeps the token across restarts (with a fixed --port, open pages reconnect);
 * by default it is random at every start.
 */
function stableToken(): string | undefined {
  const token = process.env.WORLDBENCH_TOKEN
  if (token === undefined || token === '') return undefined
  if (!/^[\w-]{24,200}$/.test(token))
    throw new WorldbenchError(
      'WEAK_TOKEN',
      'WORLDBENCH_TOKEN must be 24 to 200 letters, digits, "-" or "_".',
      'Make one with: node -e "console.log(crypto.randomBytes(24).toString(\'base64url\'))"',
    )
  return token
}

/** Web mode: the service, its control socket, and the UI over HTTP + WebSocket on 127.0.0.1. */
export async function serveCommand(opts: { port: string; host: string; json?: boolean }): Promise<number> {
  const token = stableToken()
  // Refuses at once (ALREADY_RUNNING) when another process owns the state dir.
  const owner = await startOwner('serve', { restoreWorlds: true })
  let web: Awaited<ReturnType<typeof startWebServer>>
  try {
    web = await startWebServer({
      handlers: owner.service.handlers,
      bus: owner.service.bus,
      host: opts.host,
      port: Number(opts.port),
      ...(token && { token }),
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
