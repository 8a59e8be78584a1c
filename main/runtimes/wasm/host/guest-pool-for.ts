import { loadModule } from '../module/load-module.ts'
import type { GuestThread, PoolOptions } from './guest-pool.ts'
import { GuestThreads, hostGuestThreads, hostGuestThreadsStarted, WorkloadGuests } from './guest-threads.ts'
import type { HostContext } from './host-context.ts'
import { InlineGuest } from './inline-guest.ts'

/** On a shared host's threads a guest holds one of them while it runs: never longer than this. */
export const SHARED_DEFAULT_TIMEOUT_MS = 30_000

/**
 * The workloads of this host that share it. While there is only one, its guests run on the host's
 * own thread, as in a host of its own (no guest thread to boot and keep, ~10 MiB PSS each);
 * when a second one comes, every one of them moves to the host's guest threads, so a guest that
 * runs away holds one thread, never the listeners of the others.
 */
const sharing = new Set<WorkloadGuests>()

/**
 * The workload's module, compiled once with its memory cap, behind guests that each get exactly
 * the declared args, directories and limits; `env` is the guest's base environment.
 */
export async function guestPoolFor(
  ctx: HostContext,
  opts: { env: Record<string, string>; size: number; inline: boolean },
): Promise<{ pool: WorkloadGuests; compileMs: number; cacheHit: boolean }> {
  const { config } = ctx
  const loaded = await loadModule(config.file, config.memoryMiB)
  const timeoutMs = config.timeoutSeconds === undefined ? undefined : config.timeoutSeconds * 1000
  const poolOpts: PoolOptions = {
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
  }
  const ownThreads = (inline: boolean) =>
    new GuestThreads(
      opts.size,
      inline ? () => new InlineGuest(timeoutMs) as unknown as GuestThread : undefined,
    )
  if (!ctx.shared)
    return {
      pool: new WorkloadGuests(poolOpts, ownThreads(opts.inline), true),
      compileMs: loaded.compileMs,
      cacheHit: loaded.cacheHit === true,
    }

  const onThreads = (o: PoolOptions): PoolOptions => ({
    ...o,
    timeoutMs: o.timeoutMs ?? SHARED_DEFAULT_TIMEOUT_MS,
  })
  let pool: WorkloadGuests
  if (sharing.size === 0 && !hostGuestThreadsStarted())
    pool = new WorkloadGuests(poolOpts, ownThreads(opts.inline), true)
  else {
    const threads = hostGuestThreads()
    for (const other of sharing) other.moveTo(threads, onThreads(other.opts))
    pool = new WorkloadGuests(onThreads(poolOpts), threads, false)
  }
  sharing.add(pool)
  pool.onClose(() => sharing.delete(pool))
  return { pool, compileMs: loaded.compileMs, cacheHit: loaded.cacheHit === true }
}
