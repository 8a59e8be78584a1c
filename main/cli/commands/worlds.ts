import type { WorldStatus } from '../../../contract/api.ts'
import { formatIssue } from '../../core/world/load.ts'
import { connect } from '../connect.ts'
import { printError, printJson, untilInterrupted } from '../output.ts'
import { table } from '../table.ts'
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
