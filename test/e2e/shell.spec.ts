import { expect, test } from './fixtures.ts'

test('the app loads, navigation works, and Engines shows the real engine status', async ({ app }) => {
  await expect(app.getByRole('navigation', { name: 'Main' })).toBeVisible()
  await expect(app.getByRole('heading', { name: 'Dashboard' })).toBeVisible()

  const nav = app.getByRole('navigation', { name: 'Main' })
  await nav.getByRole('link', { name: 'Worlds' }).click()
  await expect(app.getByRole('heading', { name: 'Worlds' })).toBeVisible()
  await expect(app.getByTestId('world-hello-trio')).toBeVisible()

  await nav.getByRole('link', { name: 'Engines' }).click()
  await expect(app.getByRole('heading', { name: 'Engines' })).toBeVisible()
  // In CI every engine is installed and started by .ci/run: all three must report available.
  for (const kind of ['container', 'vm', 'wasm']) {
    await expect(app.getByTestId(`engine-${kind}`)).toContainText('available')
  }
  await expect(app.getByText(/Docker Engine|Podman/)).toBeVisible()
  await expect(app.getByText(/QEMU \d/)).toBeVisible()
  await app.screenshot({ path: 'test-results/e2e/engines.png', fullPage: true })
})

test('the page is refused without the token', async ({ app, browser }, testInfo) => {
  test.skip(testInfo.project.name === 'electron', 'Web mode only.')
  void app
  const page = await browser.newPage()
  const res = await page.goto(process.env.WB_ORIGIN!)
  expect(res?.status()).toBe(401)
  await page.close()
})
