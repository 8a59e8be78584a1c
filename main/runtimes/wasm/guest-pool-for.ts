import { GuestPool } from './guest-pool.ts'
import { SharedGuests } from './guest-threads.ts'
import type { HostContext } from './host-context.ts'
import { loadModule } from './load-module.ts'

/** Where a workload's guests run: threads of its own (or its host's thread), or its shared host's threads. */
export type Guests = Pick<GuestPool, 'ready' | 'run' | 'liveMemoryBytes' | 'close' | 'tally'>

/**
 * The workload's module, compiled once with its memory cap, behind guests that each get exactly
 * the declared args, directories and limits; `env` is the guest's base environment. In a shared
 * host, the guests run on the host's guest threads (guest-threads.ts).
 */
export async function guestPoolFor(
  ctx: HostContext,
  opts: { env: Record<string, string>; size: number; inline: boolean },
): Promise<{ pool: Guests; compileMs: number }> {
  const { config } = ctx
  const loaded = await loadModule(config.file, config.memoryMiB)
  const Pool = ctx.shared ? SharedGuests : GuestPool
  const pool = new Pool({
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
