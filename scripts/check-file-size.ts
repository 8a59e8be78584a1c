// Part of `npm run lint`: a file in main/ over 400 lines mixes ideas; split it by concern.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const MAX_LINES = 400
const root = new URL('..', import.meta.url).pathname

function* sources(dir: string): Generator<string> {
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, e.name)
    if (e.isDirectory()) yield* sources(path)
    else if (/\.(ts|tsx|mjs)$/.test(e.name)) yield path
  }
}

const long = [...sources('main')]
  .map((file) => ({ file, lines: readFileSync(join(root, file), 'utf8').split('\n').length - 1 }))
  .filter((f) => f.lines > MAX_LINES)
for (const f of long) console.error(`${f.file}: ${f.lines} lines (at most ${MAX_LINES}): split it by concern`)
if (long.length > 0) process.exit(1)
console.log(`✔ every file in main/ has at most ${MAX_LINES} lines`)
