// Copies the page screenshots the E2E run took (test-results/e2e) into docs/screenshots for the
// README. Run after `playwright test`; a missing one fails, so the README never shows a stale page.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'

const PAGES = [
  'dashboard',
  'worlds',
  'world-editor',
  'instance',
  'terminal',
  'images',
  'engines',
  'bench',
  'disconnected',
]
const from = 'test-results/e2e'
const to = 'docs/screenshots'
mkdirSync(to, { recursive: true })
const missing = PAGES.filter((p) => !existsSync(join(from, `${p}.png`)))
if (missing.length) {
  console.error(
    `No screenshot of ${missing.join(', ')} in ${from}: run the E2E tests (playwright test) first.`,
  )
  process.exit(1)
}
for (const p of PAGES) copyFileSync(join(from, `${p}.png`), join(to, `${p}.png`))
console.log(`Copied ${PAGES.length} screenshots to ${to}.`)
