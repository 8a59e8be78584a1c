import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { expect, test } from './fixtures.ts'

// hello-trio's Wasm handler alone: quick to launch, so the page, not the engine, is under test.
const FILE = `${process.cwd()}/test/fixtures/worlds/wasm-only/world.yaml`
const WORLD = 'wasm-only'

test.afterAll(() => {
  // Whatever a failing run left up (a passing run stops it from the UI).
  try {
    execFileSync(process.execPath, ['bin/worldbench.mjs', 'down', FILE], {
      env: process.env,
      stdio: 'ignore',
    })
  } catch {
    // nothing was running
  }
})

test('live state in every tab and after a reload; stopped instances keep their logs; Start, Restart, Remove; logs with times and download', async ({
  app,
  context,
}, testInfo) => {
  test.skip(testInfo.project.name === 'electron', 'Two tabs and a reload are web mode.')
  const nav = app.getByRole('navigation', { name: 'Main' })
  await nav.getByRole('link', { name: 'Worlds' }).click()
  await app.getByLabel('Open a world file').fill(FILE)
  await app.getByRole('button', { name: 'Open', exact: true }).click()
  const card = app.getByTestId(`world-${WORLD}`)
  const state = app.getByTestId(`world-state-${WORLD}`)
  await expect(state).toHaveText('stopped')
  await expect(app.getByRole('button', { name: `Stop ${WORLD}` })).toBeDisabled()

  // Its prepare script runs once the person confirms (the app asks before a world's scripts run).
  app.on('dialog', (d) => void d.accept())
  await app.getByRole('button', { name: `Launch ${WORLD}` }).click()
  await expect(state).toHaveText('running', { timeout: 60_000 })
  await expect(app.getByTestId('toast').filter({ hasText: `Started ${WORLD}` })).toBeVisible()
  await expect(app.getByRole('button', { name: `Launch ${WORLD}` })).toBeDisabled()

  // A second tab sees the same state without having launched anything.
  const other = await context.newPage()
  await other.goto(`${new URL(process.env.WB_URL!).origin}/#/worlds`)
  await expect(other.getByTestId(`world-state-${WORLD}`)).toHaveText('running')
  await expect(other.getByRole('button', { name: `Stop ${WORLD}` })).toBeEnabled()

  // A reload keeps it too.
  await app.reload()
  await expect(state).toHaveText('running')
  await expect(card).toBeVisible()

  // Stopped from the other tab: this one follows, and the instance stays listed, greyed.
  await other.getByRole('button', { name: `Stop ${WORLD}` }).click()
  await expect(state).toHaveText('stopped', { timeout: 60_000 })
  await expect(other.getByTestId('toast').filter({ hasText: `Stopped ${WORLD}` })).toBeVisible()
  await other.close()
  const row = app.getByTestId(`world-status-${WORLD}`).getByRole('link', { name: 'hello' })
  await expect(row).toBeVisible()

  // Its page: stopped, logs kept, with Start and Remove.
  await row.click()
  await expect(app.getByTestId('instance-state')).toHaveText('stopped')
  const logs = app.getByTestId('logs')
  await expect(logs).toContainText('sandbox')
  await app.getByRole('checkbox', { name: 'Timestamps' }).check()
  await expect(logs.locator('div').first()).toHaveText(/^\d\d:\d\d:\d\d\.\d{3}/)
  const download = app.waitForEvent('download')
  await app.getByRole('button', { name: 'Download logs' }).click()
  const file = await download
  expect(file.suggestedFilename()).toMatch(/^hello-.*\.log$/)
  expect(readFileSync((await file.path())!, 'utf8')).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z system sandbox: /m)
  await app.getByLabel('Search logs').fill('no line says this')
  await expect(app.getByTestId('logs-no-match')).toBeVisible()
  await app.getByLabel('Search logs').fill('')

  // Start: a new instance replaces the stopped one, and the page follows it.
  const stoppedUrl = app.url()
  await app.getByRole('button', { name: 'Start hello' }).click()
  await expect(app.getByTestId('instance-state')).toHaveText('running', { timeout: 60_000 })
  expect(app.url()).not.toBe(stoppedUrl)
  // Network is not counted per Wasm workload: the chart says so instead of staying empty.
  await expect(app.getByTestId('chart-Network').getByTestId('not-measured')).toContainText(
    'Not measured for Wasm',
  )
  await app.getByRole('button', { name: 'About Memory' }).hover()
  await expect(app.getByRole('tooltip').filter({ hasText: 'RSS' }).first()).toBeVisible()
  await app.screenshot({ path: 'test-results/e2e/instance-wasm.png', fullPage: true })

  await app.getByRole('button', { name: 'Restart hello' }).click()
  await expect(app.getByTestId('toast').filter({ hasText: 'Restarted hello' })).toBeVisible({
    timeout: 60_000,
  })
  await expect(app.getByTestId('instance-state')).toHaveText('running')
  await app.getByRole('button', { name: 'Stop hello' }).click()
  await expect(app.getByTestId('instance-state')).toHaveText('stopped', { timeout: 60_000 })
  await app.getByRole('button', { name: 'Remove hello' }).click()
  await expect(app.getByText('This instance was removed.')).toBeVisible()
})

test('at 760 px wide every page fits without cutting columns off', async ({ app }) => {
  await app.setViewportSize({ width: 760, height: 900 })
  for (const page of ['dashboard', 'worlds', 'bench', 'engines']) {
    await app.goto(`${new URL(app.url()).origin}/#/${page}`)
    await expect(app.getByRole('heading', { level: 1 })).toBeVisible()
    const overflow = await app.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    expect(overflow, page).toBeLessThanOrEqual(0)
    await app.screenshot({ path: `test-results/e2e/narrow-${page}.png`, fullPage: true })
  }
})

test("pick a world file: the editor marks each of the service's errors at its line, completes keys from the schema, and a fixed file is saved and launched", async ({
  app,
}) => {
  // CodeMirror adds <style> elements, which the page's policy allows (style-src 'unsafe-inline');
  // it needs nothing more, and scripts stay 'self' only.
  const refused: string[] = []
  app.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) refused.push(m.text())
  })
  await app.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Worlds' }).click()
  await app
    .getByLabel('Pick a world file')
    .setInputFiles(`${process.cwd()}/test/fixtures/worlds/bad-port.yaml`)
  const editor = app.getByTestId('world-editor')
  const line = (n: number) => editor.locator('.cm-content .cm-line').nth(n - 1)
  const hoverTip = app.locator('.cm-tooltip-hover')

  // The service's verdict, at the token it names: line 7, the guest port.
  await expect(line(7).locator('.cm-lintRange-error')).toHaveText('70000')
  await expect(editor.locator('.cm-lint-marker-error')).toHaveCount(1)
  await line(7).locator('.cm-lintRange-error').hover()
  await expect(hoverTip).toContainText('workloads.0.ports.0.guest: Too big: expected number to be <=65535')
  const issues = app.getByTestId('editor-issues')
  await expect(issues).toContainText('line 7:31')
  await expect(app.getByRole('button', { name: 'Save and add' })).toBeDisabled()
  await app.screenshot({ path: 'test-results/e2e/world-editor.png', fullPage: true })

  // A whole new text: valid, and every mark is gone.
  const text = app.getByLabel('World file text')
  await text.click()
  await app.keyboard.press('ControlOrMeta+a')
  await app.keyboard.insertText(
    [
      'apiVersion: worldbench/v1',
      'name: picked-world',
      'workloads:',
      '  - name: web',
      '    kind: container',
      '    container: { image: worldbench/hello-trio:1 }',
      '    ports: [{ host: 0, guest: 8080 }]',
    ].join('\n'),
  )
  await expect(app.getByTestId('editor-ok')).toContainText('picked-world with 1 workload')
  await expect(editor.locator('.cm-lintRange-error')).toHaveCount(0)
  await expect(editor.locator('.cm-lint-marker-error')).toHaveCount(0)
  // A key says what it takes, from the schema.
  await line(5).getByText('kind').hover()
  await expect(hoverTip).toContainText('kind: "vm" | "container" | "wasm"')

  // A key the schema does not have, typed on line 8: marked there with the service's message.
  await app.keyboard.press('ControlOrMeta+End')
  await app.keyboard.insertText('\n    bogus: 1')
  await expect(line(8).locator('.cm-lintRange-error')).toBeVisible()
  await line(8).locator('.cm-lintRange-error').hover()
  await expect(hoverTip).toContainText('Unrecognized key: "bogus"')
  await expect(issues).toContainText('line 8')
  await expect(app.getByRole('button', { name: 'Save and add' })).toBeDisabled()

  // Undone, then a real key completed from the schema, with what it is for.
  await text.click()
  await app.keyboard.press('ControlOrMeta+End')
  await app.keyboard.press('ControlOrMeta+z')
  await expect(editor.locator('.cm-lintRange-error')).toHaveCount(0)
  await app.keyboard.insertText('\n    ')
  await app.keyboard.type('lim')
  const options = app.locator('.cm-tooltip-autocomplete')
  // Picked with the pointer: CodeMirror ignores an Enter in the first 75 ms of a list, which a
  // robot on a loaded machine can hit.
  await options.getByRole('option', { name: /limits/ }).click()
  await app.keyboard.insertText('{ memoryMiB: 64 }')
  await expect(line(8)).toHaveText('    limits: { memoryMiB: 64 }')
  await expect(app.getByTestId('editor-ok')).toContainText('picked-world with 1 workload')
  await expect(editor.locator('.cm-lintRange-error')).toHaveCount(0)

  await app.getByRole('button', { name: 'Save and add' }).click()
  await expect(app.getByTestId('world-picked-world')).toBeVisible()
  await expect(app.getByTestId('world-editor')).toHaveCount(0)
  await app.getByRole('button', { name: 'Launch picked-world' }).click()
  await expect(app.getByTestId('world-state-picked-world')).toHaveText('running', { timeout: 60_000 })
  await app.getByRole('button', { name: 'Stop picked-world' }).click()
  await expect(app.getByTestId('world-state-picked-world')).toHaveText('stopped', { timeout: 60_000 })
  expect(refused).toEqual([])
})
