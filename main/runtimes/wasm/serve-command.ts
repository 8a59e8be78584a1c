/** command mode: one run of `_start`; its exit code ends the workload. */
import { GuestPool } from './guest-pool.ts'
import type { HostContext, Serving } from './host-context.ts'
import { loadModule } from './load-module.ts'

export async function serveCommand(ctx: HostContext): Promise<Serving> {
  const { config } = ctx
  const loaded = await loadModule(config.file, config.memoryMiB)
  const pool = new GuestPool({
    data: {
      module: loaded.module,
      memoryImports: loaded.memoryImports,
      argv: [config.name, ...config.args],
      env: config.env,
      dirs: config.dirs,
      tmpDir: ctx.tmpDir,
    },
    size: 1,
    ...(config.timeoutSeconds !== undefined ? { timeoutMs: config.timeoutSeconds * 1000 } : {}),
    ...(config.memoryMiB !== undefined ? { memoryLimitBytes: config.memoryMiB * 2 ** 20 } : {}),
    onDenied: (m) => ctx.log(m),
  })
  let lastMemory = 0
  void pool.run({ mode: 'command' }).then((outcome) => {
    lastMemory = outcome.memoryBytes
    if (outcome.ok) ctx.send({ type: 'exit', code: outcome.exitCode })
    else ctx.send({ type: 'error', error: outcome.error, fatal: true })
  })
  ctx.send({ type: 'ready', startMs: 0 })
  return {
    guestMemoryBytes: () => pool.liveMemoryBytes() || lastMemory,
    requests: () => 1,
    stop: () => pool.close(),
  }
}
