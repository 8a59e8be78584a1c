import { execFileSync, spawn } from 'node:child_process'
import type { Locator } from '@playwright/test'
import { expect, test } from './fixtures.ts'

// One Wasm and one container workload (hello-trio's handler, built into the fixture's own folder).
const WORLD = 'test/fixtures/worlds/dash/world.yaml'
const WASM = 'dash-wasm'
const CONTAINER = 'dash-container'

/** `worldbench up` from a terminal: it reaches the running `serve` through its control socket. */
function cliUp(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/worldbench.mjs', 'up', WORLD, '--json', '--yes'], {
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`worldbench up exited with ${code}: ${err}${out}`)),
    )
  })
}

async function points(sparkline: Locator): Promise<number> {
  return Number(await sparkline.getAttribute('data-points'))
}

test.afterAll(() => {
  // Whatever the test left running (it stops both from the UI when it passes).
  try {
    execFileSync(process.execPath, ['bin/worldbench.mjs', 'down', WORLD], {
      env: process.env,
      stdio: 'ignore',
      timeout: 60_000,
    })
  } catch {
    // nothing was running
  }
})

test('dashboard: a Wasm and a container row with moving sparklines, the instance page, stop from the UI', async ({
  app,
}) => {
  const nav = app.getByRole('navigation', { name: 'Main' })
  await nav.getByRole('link', { name: 'Dashboard' }).click()
  await expect(app.getByText('Nothing running: launch a sample world from Worlds.')).toBeVisible()
  await expect(app.getByRole('link', { name: 'Worlds' }).last()).toHaveAttribute('href', /worlds/)

  // Launched from a terminal while the page is open: the rows arrive through the event stream.
  const launched = cliUp()
  const wasmRow = app.getByTestId(`instance-row-${WASM}`)
  const containerRow = app.getByTestId(`instance-row-${CONTAINER}`)
  await launched
  await expect(wasmRow).toBeVisible()
  await expect(containerRow).toBeVisible()
  await expect(wasmRow.getByText('running')).toBeVisible()
  await expect(containerRow.getByText('running')).toBeVisible()
  await expect(wasmRow.getByRole('link', { name: /^http:\/\/127\.0\.0\.1:\d+/ })).toBeVisible()
  await expect(app.getByTestId('summary-wasm')).toContainText('1')
  await expect(app.getByTestId('summary-container')).toContainText('1')
  await expect(app.getByText('Nothing running')).toHaveCount(0)

  // The sparklines move: one more point a second.
  for (const row of [wasmRow, containerRow]) {
    const spark = row.locator('.sparkline').first()
    await expect.poll(() => points(spark)).toBeGreaterThan(0)
    const before = await points(spark)
    await expect.poll(() => points(spark), { timeout: 10_000 }).toBeGreaterThanOrEqual(before + 2)
    await expect(spark.locator('canvas')).toBeVisible()
  }
  await expect(wasmRow.getByTestId('memory')).toHaveText(/\d/)
  await expect(containerRow.getByTestId('memory')).toHaveText(/\d/)

  // Kind filter: one kind at a time, and an empty state that says how to get back.
  const filter = app.getByLabel('Filter by kind')
  await filter.selectOption('wasm')
  await expect(wasmRow).toBeVisible()
  await expect(containerRow).toHaveCount(0)
  await filter.selectOption('container')
  await expect(containerRow).toBeVisible()
  await expect(wasmRow).toHaveCount(0)
  await filter.selectOption('vm')
  await expect(wasmRow).toHaveCount(0)
  await expect(containerRow).toHaveCount(0)
  await expect(app.getByText('No vm instance is running.')).toBeVisible()
  await expect(app.getByText('Nothing running')).toHaveCount(0)
  await app.getByRole('button', { name: 'Show everything' }).click()
  await expect(filter).toHaveValue('all')
  await expect(wasmRow).toBeVisible()
  await expect(containerRow).toBeVisible()
  await app.screenshot({ path: 'test-results/e2e/dashboard.png', fullPage: true })

  // The world filter keeps this world's rows.
  await app.getByLabel('Filter by world').selectOption('e2e-dash')
  await expect(wasmRow).toBeVisible()
  await expect(containerRow).toBeVisible()
  await app.getByLabel('Filter by world').selectOption('all')

  // The instance page: charts over time and the log stream.
  await wasmRow.getByRole('link', { name: WASM }).click()
  await expect(app).toHaveURL(/#\/?instance\//)
  await expect(app.getByRole('heading', { name: new RegExp(WASM) })).toBeVisible()
  // Where its start went, request to ready.
  await expect(app.getByTestId('start-timeline')).toContainText(/host ready.*instantiate.*port answering/)
  const charts = app.locator('[data-testid^=chart-]')
  await expect(charts).toHaveCount(3)
  await expect(app.getByTestId('chart-CPU').locator('canvas')).toBeVisible()
  await expect(app.getByTestId('chart-Memory').locator('canvas')).toBeVisible()
  const logs = app.getByTestId('logs')
  await expect(logs.locator('div').first()).toBeVisible()
  await expect(logs).toContainText('sandbox')
  // Its host process and its share of it, from the samples.
  await expect(app.getByTestId('host-share')).toContainText(/host process \d+/)
  // Its definition, and what the module imports (WASI preview 1) and exports (_start).
  await expect(app.getByTestId('definition')).toContainText('"kind": "wasm"')
  await expect(app.getByTestId('wasm-imports-exports')).toContainText('wasi_snapshot_preview1')
  await expect(app.getByTestId('wasm-imports-exports')).toContainText('_start')
  // What it may touch, and its limits.
  await expect(app.getByTestId('wasm-sandbox')).toContainText('No directories')
  await expect(app.getByTestId('wasm-sandbox')).toContainText('Memory ≤ 64 MiB · 5s per run or request')
  await app.screenshot({ path: 'test-results/e2e/instance.png', fullPage: true })

  // Stop both from the dashboard: they stay listed, greyed, until removed.
  await nav.getByRole('link', { name: 'Dashboard' }).click()
  await app.getByRole('button', { name: `Stop ${WASM}` }).click()
  await expect(wasmRow).toHaveAttribute('data-state', 'stopped', { timeout: 60_000 })
  await expect(containerRow).toHaveAttribute('data-state', 'running')
  await app.getByRole('button', { name: `Stop ${CONTAINER}` }).click()
  await expect(containerRow).toHaveAttribute('data-state', 'stopped', { timeout: 60_000 })
  await expect(app.getByText('Nothing running: launch a sample world from Worlds.')).toBeVisible()
  await app.getByRole('button', { name: `Remove ${WASM}` }).click()
  await app.getByRole('button', { name: `Remove ${CONTAINER}` }).click()
  await expect(wasmRow).toHaveCount(0)
  await expect(containerRow).toHaveCount(0)
  await expect(app.getByTestId('summary-wasm')).toContainText('0')
  await expect(app.getByTestId('summary-container')).toContainText('0')
})
