// Writes the JSON Schema of world files, generated from the one zod schema, for editors.
import { writeFileSync } from 'node:fs'
import { worldJsonSchema } from '../main/core/world/json-schema.ts'

writeFileSync(
  new URL('../resources/schema/world.schema.json', import.meta.url),
  `${JSON.stringify(worldJsonSchema(), null, 2)}\n`,
)
