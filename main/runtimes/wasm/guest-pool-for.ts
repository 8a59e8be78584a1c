import type { GuestThread } from './guest-pool.ts'
import { GuestThreads, hostGuestThreads, WorkloadGuests } from './guest-threads.ts'
import type { HostContext } from './host-context.ts'
import { InlineGuest } from './inline-guest.ts'
import { loadModule } from './load-module.ts'

/**
 * The workload's module, compiled once with its memory cap, behind guests that each get exactly
 * the declared args, directories and limits; `env` is the guest's base environment. In a shared
 * host, the guests run on the host's guest threads (guest-threads.ts).
 */
export async function guestPoolFor(
  ctx: HostContext,
  opts: { env: Record<string, string>; size: number; inline: boolean },
): Promise<{ pool: WorkloadGuests; compileMs: number }> {
  const { config } = ctx
  const loaded = await loadModule(config.file, config.memoryMiB)
  const timeoutMs = config.timeoutSeconds === undefined ? undefined : config.timeoutSeconds * 1000
  // One guest at a time in a host of its own runs on the host's thread: see inline-guest.ts.
  const threads = ctx.shared
    ? hostGuestThreads()
    : new GuestThreads(
        opts.size,
        opts.inline ? () => new InlineGuest(timeoutMs) as unknown as GuestThread : undefined,
      )
  const pool = new WorkloadGuests(
    {
      data: {
        module: loaded.module,
        memoryImports: loaded.memoryImports,
        argv: [config.name, ...config.args],
        env: opts.env,
        dirs: config.dirs,
        tmpDir: ctx.tmpDir,
      },
      size: opts.size,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(config.memoryMiB !== undefined ? { memoryLimitBytes: config.memoryMiB * 2 ** 20 } : {}),
      onDenied: (m) => ctx.log(m),
      onStderr: (text) => {
        for (const line of text.replace(/\n$/, '').split('\n')) ctx.log(line, 'stderr')
      },
    },
    threads,
    !ctx.shared,
  )
  return { pool, compileMs: loaded.compileMs }
}
