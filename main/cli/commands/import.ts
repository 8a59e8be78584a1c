import { readFile, writeFile } from 'node:fs/promises'
import { basename, dirname, resolve } from 'node:path'
import { stringify } from 'yaml'
import { checkComposeText } from '../../core/compose/load.ts'
import { WorldbenchError } from '../../core/errors.ts'
import { worldToFile } from '../../core/export/to-world-file.ts'
import { formatIssue } from '../../core/world/load.ts'
import { printWarnings } from '../world-warnings.ts'

/** `worldbench import compose.yaml [-o world.yaml]`: a Compose file written out as a world file. */
export async function importCommand(file: string, opts: { output?: string }): Promise<number> {
  const abs = resolve(file)
  const text = await readFile(abs, 'utf8').catch(() => {
    throw new WorldbenchError('COMPOSE_NOT_FOUND', `Cannot read ${abs}.`, 'Pass the path of a compose.yaml.')
  })
  const { world, issues, warnings } = checkComposeText(abs, text)
  printWarnings(warnings)
  if (!world) {
    process.stderr.write(`${file}: invalid\n${issues.map(formatIssue).join('\n')}\n`)
    return 1
  }
  const out = opts.output ? resolve(opts.output) : undefined
  const header = `# Imported from ${basename(abs)} by "worldbench import"; Worldbench can also read that file directly.\n`
  const yaml = header + stringify(worldToFile(world, out ? dirname(out) : dirname(abs)), { lineWidth: 0 })
  if (!out) {
    process.stdout.write(yaml)
    return 0
  }
  await writeFile(out, yaml)
  process.stderr.write(`Wrote ${out} (world "${world.name}", ${world.workloads.length} workloads).\n`)
  return 0
}
