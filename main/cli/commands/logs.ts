import type { InstanceInfo, LogLine } from '../../../contract/api.ts'
import { WorldbenchError } from '../../core/errors.ts'
import { connect } from '../connect.ts'
import { untilInterrupted } from '../output.ts'

/** An instance named by id, by workload name, or as world/workload; ambiguity is an error that lists the ids. */
export function resolveInstance(ref: string, instances: InstanceInfo[]): InstanceInfo {
  const exact = instances.find((i) => i.id === ref)
  if (exact) return exact
  const matches = instances.filter((i) => i.workload === ref || `${i.world}/${i.workload}` === ref)
  if (matches.length === 1) return matches[0]!
  if (matches.length > 1) {
    throw new WorldbenchError(
      'AMBIGUOUS_INSTANCE',
      `"${ref}" names ${matches.length} instances.`,
      `Use one of: ${matches.map((i) => i.id).join(', ')} (or world/workload).`,
    )
  }
  throw new WorldbenchError(
    'NO_SUCH_INSTANCE',
    `No running instance is named "${ref}".`,
    'List them with "worldbench ps".',
  )
}

export async function logsCommand(ref: string, opts: { tail: string; follow?: boolean }): Promise<number> {
  const conn = await connect('read')
  try {
    const id = resolveInstance(ref, await conn.api.listInstances()).id
    const tail = Number(opts.tail)
    const print = (line: LogLine) => process.stdout.write(`${line.line}\n`)
    if (!opts.follow) {
      for (const line of await conn.api.instanceLogs({ id, tail })) print(line)
      return 0
    }
    // Subscribed first: a line written meanwhile may print twice, but never goes missing.
    const offLine = conn.api.on('log', (e) => e.id === id && print(e.line))
    // Only a service that reads the engine for this command says when the log ends (the instance stopped).
    const ended = new Promise<void>((resolve) => conn.api.on('logsEnded', (e) => e.id === id && resolve()))
    for (const line of await conn.api.followLogs({ id, tail })) print(line)
    await Promise.race([untilInterrupted(), ended])
    offLine()
    return 0
  } finally {
    await conn.close()
  }
}
