import { GuestPool } from './guest-pool.ts'
import type { HostContext } from './host-context.ts'
import { loadModule } from './load-module.ts'

/**
 * The workload's module, compiled once with its memory cap, behind a pool of guests that each
 * get exactly the declared args, directories and limits; `env` is the guest's base environment.
 */
export async function guestPoolFor(
  ctx: HostContext,
  opts: { env: Record<string, string>; size: number; inline: boolean },
): Promise<{ pool: GuestPool; compileMs: number }> {
  const { config } = ctx
  const loaded = await loadModule(config.file, config.memoryMiB)
  const pool = new GuestPool({
    data: {
      module: loaded.module,
      memoryImports: loaded.memoryImports,
      argv: [config.name, ...config.args],
      env: opts.env,
      dirs: config.dirs,
      tmpDir: ctx.tmpDir,
    },
    size: opts.size,
    inline: opts.inline,
    ...(config.timeoutSeconds !== undefined ? { timeoutMs: config.timeoutSeconds * 1000 } : {}),
    ...(config.memoryMiB !== undefined ? { memoryLimitBytes: config.memoryMiB * 2 ** 20 } : {}),
    onDenied: (m) => ctx.log(m),
    onStderr: (text) => {
      for (const line of text.replace(/\n$/, '').split('\n')) ctx.log(line, 'stderr')
    },
  })
  return { pool, compileMs: loaded.compileMs }
}
