import type { StartMark } from '../../core/start-timeline.ts'
import { epochNow } from '../../core/start-timeline.ts'
import { readSerial } from './serial-log.ts'

/** How long a boot is followed for its marks; a guest that never says it is ready stops being read. */
const FOLLOW_MS = 180_000
const READY_LINE = 'WORLDBENCH-READY'

/**
 * Which serial line ends which boot phase. The sample's /init writes "worldbench: <what> at <uptime> s"
 * (see scripts/build-vm-image.sh): its first one ends the kernel's part, the next one init's, and
 * the ready line the guest's. A guest that writes none of them has only its QEMU phase.
 */
export function bootPhaseOf(line: string, seen: ReadonlySet<string>): string | undefined {
  if (line.startsWith(READY_LINE)) return 'guest ready line'
  if (!/^worldbench: .+ at [\d.]+ s$/.test(line)) return undefined
  return seen.has('kernel') ? 'init' : 'kernel'
}

/**
 * A mark is the time its line was read, so the log is read often while the VM boots (for at most
 * FOLLOW_MS): at the logs' usual 100 ms a boot's phases would be off by up to that much.
 */
const BOOT_POLL_MS = 10

/** Appends a mark, at the time each line was received, until the ready line, the VM's end or the time limit. */
export async function followBootMarks(serialLog: string, marks: StartMark[], alive: () => Promise<boolean>) {
  const seen = new Set(marks.map((m) => m.phase))
  const signal = AbortSignal.timeout(FOLLOW_MS)
  for await (const l of readSerial(serialLog, { follow: true, signal, alive, pollMs: BOOT_POLL_MS })) {
    const phase = bootPhaseOf(l.line, seen)
    if (!phase || seen.has(phase)) continue
    seen.add(phase)
    // Kernel and init lines come before the guest's server starts; its ready line may come after.
    marks.push({ phase, at: epochNow(), ...(phase !== 'guest ready line' && { beforeReady: true }) })
    if (phase === 'guest ready line') return
  }
}
