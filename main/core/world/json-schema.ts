import { z } from 'zod'
import { WorldSchema } from './schema.ts'

/** The JSON Schema of world files (for editors: yaml-language-server, VS Code), from the zod schema. */
export function worldJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(WorldSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://worldbench.dev/schema/world.schema.json',
    title: 'Worldbench world',
  }
}
