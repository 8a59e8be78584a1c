import type { DoctorReport } from '../../../contract/api.ts'
import { connect } from '../connect.ts'
import { printJson } from '../output.ts'
import { table } from '../table.ts'

export async function doctorCommand(opts: { json?: boolean }): Promise<number> {
  const conn = await connect('read')
  try {
    const report = await conn.api.doctor()
    if (opts.json) printJson(report)
    else process.stdout.write(formatDoctor(report))
    const missing = report.engines.filter((e) => !e.available)
    for (const e of missing) {
      process.stderr.write(`error: ${e.kind}: ${e.error?.message ?? 'not available'}\n`)
      if (e.error?.hint) process.stderr.write(`hint: ${e.error.hint}\n`)
    }
    return missing.length > 0 ? 1 : 0
  } finally {
    await conn.close()
  }
}

export function formatDoctor(r: DoctorReport): string {
  const rows = r.engines.map((e) => [
    e.kind,
    e.available ? 'ok' : 'MISSING',
    e.engine ?? '-',
    Object.entries(e.details)
      .map(([k, v]) => `${k}=${v}`)
      .join(' '),
  ])
  let out = `Worldbench ${r.worldbench} on ${r.platform}/${r.arch}, Node ${r.node}, state in ${r.stateDir}\n\n`
  out += `${table(['KIND', 'STATUS', 'ENGINE', 'DETAILS'], rows)}\n`
  for (const e of r.engines) {
    for (const w of e.warnings) out += `\nwarning (${e.kind}): ${w}`
    if (!e.available && e.install) {
      out += `\n\nTo install the ${e.kind} engine:\n  Linux:   ${e.install.linux}\n  macOS:   ${e.install.macos}\n  Windows: ${e.install.windows}`
    }
  }
  return `${out}\n`
}
