/** command mode: one run of `_start`; its exit code ends the workload. */
import { guestPoolFor } from './guest-pool-for.ts'
import type { HostContext, Serving } from './host-context.ts'

export async function serveCommand(ctx: HostContext): Promise<Serving> {
  const { config } = ctx
  // A command may run long: it gets a worker thread, so this host still answers stats and stop.
  const { pool } = await guestPoolFor(ctx, { env: config.env, size: 1, inline: false })
  let lastMemory = 0
  void pool.run({ mode: 'command', ...(config.stdin && { stdin: config.stdin }) }).then((outcome) => {
    lastMemory = outcome.memoryBytes
    if (outcome.ok) ctx.send({ type: 'exit', code: outcome.exitCode })
    else ctx.send({ type: 'error', error: outcome.error, fatal: true })
  })
  ctx.send({ type: 'ready', startMs: 0 })
  return {
    stats: () => ({
      guestMemoryBytes: pool.liveMemoryBytes() || lastMemory,
      peakInstanceBytes: pool.tally.peakInstanceBytes,
      requests: 1,
      guestCpuMs: pool.tally.guestCpuMs,
    }),
    stop: () => pool.close(),
  }
}
