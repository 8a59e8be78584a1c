import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { worldJsonSchema } from '../../main/core/world/json-schema.ts'

it('the shipped JSON Schema is the one generated from the zod schema (run: node scripts/world-schema.ts)', () => {
  const shipped = JSON.parse(readFileSync('resources/schema/world.schema.json', 'utf8'))
  expect(shipped).toEqual(JSON.parse(JSON.stringify(worldJsonSchema())))
  expect(shipped.additionalProperties).toBe(false)
  expect(Object.keys(shipped.properties)).toEqual([
    'apiVersion',
    'name',
    'description',
    'networks',
    'workloads',
  ])
})
