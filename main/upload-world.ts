import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ValidationIssue, ValidationResult } from '../contract/api.ts'
import { WorldbenchError } from './core/errors.ts'
import { stateSubdir } from './core/paths.ts'
import { checkWorldText, formatIssue } from './core/world/load.ts'
import type { World } from './core/world/schema.ts'

/** A world file's text checked as if it were `name`: issues with line and column, and its workloads. */
export function checkText(name: string, text: string): ValidationResult {
  return toValidationResult(checkWorldText(name, text))
}

export function toValidationResult({
  world,
  issues,
  warnings,
}: {
  world?: World
  issues: ValidationIssue[]
  warnings?: ValidationIssue[]
}): ValidationResult {
  return {
    ok: issues.length === 0,
    issues,
    ...(warnings?.length && { warnings }),
    ...(world && {
      world: {
        name: world.name,
        workloads: world.workloads.map((w) => ({ name: w.name, kind: w.kind, dependsOn: w.dependsOn })),
      },
    }),
  }
}

/**
 * Keeps an uploaded world file in the state dir, in a folder named after the world (a schema-checked
 * name, so never a path of its own). Its relative paths resolve from there.
 */
export async function saveUploadedWorld(name: string, text: string): Promise<string> {
  const { world, issues } = checkWorldText(name, text)
  if (!world)
    throw new WorldbenchError(
      'WORLD_INVALID',
      `${name} is invalid:\n${issues.map(formatIssue).join('\n')}`,
      'Fix the lines named above, then save again.',
      { issues },
    )
  const file = join(stateSubdir('worlds', world.name), 'world.yaml')
  await writeFile(file, text)
  return file
}
