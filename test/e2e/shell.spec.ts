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
  // An accelerator that is there but fails says how people fix it.
  const vm = app.getByTestId('engine-vm').locator('..')
  if (await vm.getByText(/kvm.*not working/).count())
    await expect(vm.getByTestId('hint-kvm')).toContainText('nested')
  await app.screenshot({ path: 'test-results/e2e/engines.png', fullPage: true })

  // Settings have the controls their values need: the spare Wasm host is a switch, kept after a reload.
  const spare = app.getByRole('switch', { name: 'Spare Wasm host' })
  await expect(spare).toBeChecked()
  await spare.uncheck()
  await app.getByRole('button', { name: 'Save and probe again' }).click()
  await expect(app.getByTestId('toast').filter({ hasText: 'Settings saved' })).toBeVisible()
  await app.reload()
  await expect(app.getByRole('switch', { name: 'Spare Wasm host' })).not.toBeChecked()
  await app.getByRole('switch', { name: 'Spare Wasm host' }).check()
  await app.getByRole('button', { name: 'Save and probe again' }).click()
  await expect(app.getByTestId('toast').filter({ hasText: 'Settings saved' }).last()).toBeVisible()
  await app.getByRole('button', { name: 'About Spare Wasm host' }).hover()
  await expect(app.getByRole('tooltip').filter({ hasText: '45 MiB' })).toBeVisible()
})

test('the page is refused without the token', async ({ app, browser }, testInfo) => {
  test.skip(testInfo.project.name === 'electron', 'Web mode only.')
  void app
  const page = await browser.newPage()
  const res = await page.goto(process.env.WB_ORIGIN!)
  expect(res?.status()).toBe(401)
  await page.close()
})
