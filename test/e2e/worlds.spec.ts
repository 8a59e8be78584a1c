import { expect, test } from './fixtures.ts'

test('launch a sample world from the Worlds page, see every workload ready, then stop it', async ({
  app,
}) => {
  await app.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Worlds' }).click()
  await app.getByRole('button', { name: 'Launch hello-trio' }).click()
  // Instances show up as they start; the world is running once all three are ready.
  await expect(app.getByTestId('world-state-hello-trio')).toHaveText('running', { timeout: 200_000 })
  const status = app.getByTestId('world-status-hello-trio')
  await expect(status.getByText('running')).toHaveCount(3)
  for (const name of ['hello-wasm', 'hello-container', 'hello-vm']) await expect(status).toContainText(name)
  await app.screenshot({ path: 'test-results/e2e/worlds.png', fullPage: true })

  // The dashboard shows the same world, across the three kinds.
  await app.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click()
  for (const kind of ['vm', 'container', 'wasm'])
    await expect(app.getByTestId(`summary-${kind}`)).toContainText('1')

  await app.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Worlds' }).click()
  await app.getByRole('button', { name: 'Stop hello-trio' }).click()
  await app.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click()
  await expect(app.getByText('Nothing running')).toBeVisible({ timeout: 60_000 })
})

test('run a small benchmark from the Bench page and read its charts and table', async ({ app }) => {
  await app.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Bench' }).click()
  await app.getByLabel('World').selectOption('hello-trio')
  // Wasm and container only, one repeat, one second of load: the page, not the numbers, is under test.
  await app.getByRole('checkbox', { name: 'vm', exact: true }).uncheck()
  await app.getByLabel('Repeats').fill('1')
  await app.getByLabel('Load seconds').fill('1')
  await app.getByRole('checkbox', { name: 'Direct baseline' }).check()
  await app.getByRole('button', { name: 'Run benchmark' }).click()
  await expect(app.getByTestId('bench-progress')).toBeVisible()
  // The service says a bench is under way: the navigation shows it on every page and tab.
  await expect(app.getByTestId('bench-running')).toBeVisible()
  await expect(app.getByTestId('bench-results')).toBeVisible({ timeout: 180_000 })
  await expect(app.getByTestId('bench-running')).toHaveCount(0)
  await expect(app.getByTestId('bench-chart-Cold start').locator('canvas')).toBeVisible()
  await expect(app.getByTestId('bench-table')).toContainText('Requests/s')
  await expect(app.getByTestId('bench-table')).toContainText('wasm')
  await expect(app.getByTestId('bench-table')).toContainText('container')
  // The verdict leads; one repeat has no spread, so nothing is flagged noisy.
  await expect(app.getByTestId('bench-verdict')).toContainText(
    /Here, Wasm was the most efficient on \d of \d metrics/,
  )
  await expect(app.getByTestId('bench-table')).not.toContainText('noisy')
  // Full cost and the overhead against the engines alone.
  await expect(app.getByTestId('bench-costs')).toContainText('containerd-shim')
  await expect(app.getByTestId('bench-costs')).toContainText('docker-proxy')
  await expect(app.getByTestId('bench-costs')).toContainText(/container.*Worldbench overhead: first response/)
  // Where each kind's cold start goes, one stacked bar each.
  await expect(app.getByTestId('bench-start-timelines')).toContainText(
    /create.*start.*process running.*port answering/,
  )
  await expect(app.getByTestId('bench-start-timelines')).toContainText(
    /host ready.*instantiate.*port answering/,
  )
  await expect(app.getByRole('button', { name: 'Open' })).toHaveCount(1)
  await app.screenshot({ path: 'test-results/e2e/bench.png', fullPage: true })
})

test('open a world file from disk: a bad one shows where it is wrong, a good one joins the list', async ({
  app,
}) => {
  const fixtures = `${process.cwd()}/test/fixtures/worlds`
  await app.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Worlds' }).click()
  await app.getByLabel('Open a world file').fill(`${fixtures}/bad-port.yaml`)
  await app.getByRole('button', { name: 'Open' }).click()
  await expect(app.getByTestId('world-issues')).toContainText('workloads.0.ports.0.guest')
  await expect(app.getByTestId('world-issues')).toContainText('line 7')

  await app.getByLabel('Open a world file').fill(`${fixtures}/wasm-only/world.yaml`)
  await app.getByRole('button', { name: 'Open' }).click()
  await expect(app.getByTestId('world-wasm-only')).toBeVisible()
  await app.getByRole('link', { name: 'wasm-only' }).click()
  await expect(app.getByTestId('world-workloads')).toContainText('hello')
  await expect(app.getByTestId('world-workloads')).toContainText('stopped')
})

test("a world file's prepare script runs only after the person confirms it", async ({ app }) => {
  // A world of its own: trust is kept per world file, and other tests trust wasm-only.
  const file = `${process.cwd()}/test/fixtures/worlds/wasm-only/trust.yaml`
  await app.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Worlds' }).click()
  await app.getByLabel('Open a world file').fill(file)
  await app.getByRole('button', { name: 'Open', exact: true }).click()
  const state = app.getByTestId('world-state-wasm-trust')
  await expect(state).toHaveText('stopped')

  // Declined: nothing runs, and the page says why.
  const declined = app.waitForEvent('dialog').then(async (d) => {
    expect(d.type()).toBe('confirm')
    expect(d.message()).toContain('prepare.sh')
    await d.dismiss()
  })
  await app.getByRole('button', { name: 'Launch wasm-trust' }).click()
  await declined
  await expect(app.getByTestId('toast').filter({ hasText: 'You have not trusted them yet' })).toBeVisible()
  await expect(state).toHaveText('stopped')

  // Confirmed: the world starts, and a second launch asks no more.
  app.once('dialog', (d) => void d.accept())
  await app.getByRole('button', { name: 'Launch wasm-trust' }).click()
  await expect(state).toHaveText('running', { timeout: 60_000 })
  await app.getByRole('button', { name: 'Stop wasm-trust' }).click()
  await expect(state).toHaveText('stopped', { timeout: 60_000 })
})
