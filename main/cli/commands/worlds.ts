import type { InstanceInfo, LogLine, WorldStatus } from '../../../contract/api.ts'
import { WorldbenchError } from '../../core/errors.ts'
import { formatIssue } from '../../core/world/load.ts'
import { connect } from '../connect.ts'
import { printError, printJson, untilInterrupted } from '../output.ts'
import { formatBytes, formatPercent, table } from '../table.ts'
import { withTrust } from '../trust.ts'
import { printWarnings, printWorldWarnings } from '../world-warnings.ts'

export async function validateCommand(file: string, opts: { json?: boolean }): Promise<number> {
  const conn = await connect('read')
  try {
    const result = await conn.api.validateWorld({ file })
    if (!opts.json) printWarnings(result.warnings)
    if (opts.json) printJson(result)
    else if (result.ok)
      process.stdout.write(
        `${file}: ok (world "${result.world?.name}", ${result.world?.workloads.length} workloads)\n`,
      )
    else process.stderr.write(`${file}: invalid\n${result.issues.map(formatIssue).join('\n')}\n`)
    return result.ok ? 0 : 1
  } finally {
    await conn.close()
  }
}

/**
 * Starts a world. With a service running, hands it over and returns; with none, this process
 * becomes the service in the foreground until Ctrl-C (like `docker compose up`), then stops the
 * worlds it runs; with --detach, a background service is started first and this returns.
 */
export async function upCommand(
  world: string,
  opts: { json?: boolean; yes?: boolean; detach?: boolean },
): Promise<number> {
  if (!opts.json) await printWorldWarnings(world)
  // Loaded only here: the service's module brings the engines' SDKs, which ps and logs never need.
  if (opts.detach) await (await import('./service.ts')).ensureBackgroundService()
  const conn = await connect('own', `up ${world}`)
  // Ctrl-C while a local launch is under way cancels it; the Supervisor stops what had started.
  const interrupted = conn.owner ? untilInterrupted() : undefined
  let cancelling: Promise<unknown> | undefined
  void interrupted?.then(() => {
    process.stderr.write('Stopping the world: everything this launch started is stopped…\n')
    cancelling = conn.api.worldDown({ world }).catch(printError)
  })
  const offProgress = conn.api.on('progress', (p) => {
    if (!opts.json)
      process.stderr.write(
        `  ${p.scope}: ${p.step}${p.percent !== undefined ? ` ${Math.round(p.percent)}%` : ''}${p.message ? ` ${p.message}` : ''}\n`,
      )
  })
  let status: WorldStatus
  try {
    status = await withTrust(conn.api, opts.yes, () => conn.api.worldUp({ world }))
  } catch (err) {
    offProgress()
    await cancelling
    await conn.close()
    throw err
  }
  offProgress()
  if (cancelling) {
    await cancelling
    await conn.close({ stopAll: true })
    return 130
  }
  if (opts.json) printJson(status)
  else printWorldStatus(status)
  const ok = status.failed.length === 0
  if (!conn.owner || status.instances.length === 0) {
    await conn.close()
    return ok ? 0 : 1
  }
  process.stderr.write(
    `World "${status.world}" is up. This terminal runs the Worldbench service: other shells talk to it. Press Ctrl-C to stop it.\n`,
  )
  await interrupted
  process.stderr.write(`Stopping "${status.world}"…\n`)
  await cancelling
  await conn.api.worldDown({ world: status.world }).catch(printError)
  await conn.close({ stopAll: true })
  return ok ? 0 : 1
}

function printWorldStatus(status: WorldStatus): void {
  if (status.instances.length > 0) {
    const rows = status.instances.map((i) => [
      i.workload,
      i.kind,
      i.state,
      i.ports.map((p) => p.url).join(' ') || '-',
    ])
    process.stdout.write(`${table(['WORKLOAD', 'KIND', 'STATE', 'URL'], rows)}\n`)
  }
  for (const f of status.failed) {
    process.stderr.write(`error: ${f.workload}: ${f.error.message}\n`)
    if (f.error.hint) process.stderr.write(`hint: ${f.error.hint}\n`)
  }
}

export async function downCommand(world: string, opts: { json?: boolean }): Promise<number> {
  // With no service running, this process owns the state dir just long enough to stop the world.
  const conn = await connect('own', `down ${world}`)
  try {
    const result = await conn.api.worldDown({ world })
    if (opts.json) printJson(result)
    else process.stdout.write(`Stopped ${result.stopped} instance(s) of "${world}".\n`)
    return 0
  } finally {
    await conn.close()
  }
}

export async function psCommand(opts: { json?: boolean }): Promise<number> {
  // With no service running, nothing samples: the look at the engines takes one sample itself.
  const conn = await connect('read', 'cli', { sample: true })
  try {
    const instances = await conn.api.listInstances()
    if (opts.json) {
      printJson(instances)
      return 0
    }
    process.stdout.write(`${formatPs(instances)}\n`)
    // Said loudly: a Wasm workload granted a host directory outside its world's folder.
    for (const i of instances.filter((x) => x.kind === 'wasm')) {
      const details = await conn.api.instanceDetails({ id: i.id }).catch(() => undefined)
      for (const host of outsideDirs(details?.definition))
        process.stdout.write(
          `WARNING ${i.world}/${i.workload} can reach ${host}, outside its world's folder\n`,
        )
    }
    return 0
  } finally {
    await conn.close()
  }
}

/** Host directories a workload definition grants with `outside: true`. */
export function outsideDirs(definition: Record<string, unknown> | undefined): string[] {
  const dirs = (definition?.wasm as { dirs?: { host: string; outside?: boolean }[] } | undefined)?.dirs ?? []
  return dirs.filter((d) => d.outside).map((d) => d.host)
}

export function formatPs(instances: InstanceInfo[]): string {
  if (instances.length === 0) return 'Nothing is running. Start a sample: worldbench up hello-trio'
  const rows = instances.map((i) => [
    i.world,
    i.workload,
    i.kind,
    i.state,
    i.ports[0]?.url ?? '-',
    formatPercent(i.last?.cpuPercent),
    formatBytes(i.last?.memoryBytes),
    i.id,
  ])
  return table(['WORLD', 'WORKLOAD', 'KIND', 'STATE', 'URL', 'CPU', 'MEMORY', 'ID'], rows)
}

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
