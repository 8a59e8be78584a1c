import { execFileSync } from 'node:child_process'
import { expect, test } from './fixtures.ts'

// One Wasm and one container workload; the container is busybox httpd with busybox's shell.
const WORLD = 'test/fixtures/worlds/dash/world.yaml'

const cli = (...args: string[]) =>
  execFileSync(process.execPath, ['bin/worldbench.mjs', ...args], { env: process.env, encoding: 'utf8' })

test.afterAll(() => {
  try {
    cli('down', WORLD)
  } catch {
    // nothing was running
  }
})

test('a terminal into a real container: type a command, see what the container answers', async ({ app }) => {
  cli('up', WORLD, '--json', '--yes')
  const nav = app.getByRole('navigation', { name: 'Main' })
  await nav.getByRole('link', { name: 'Dashboard' }).click()
  await app.getByTestId('instance-row-dash-container').getByRole('link', { name: 'dash-container' }).click()
  await app.getByRole('button', { name: 'Open terminal' }).click()
  await expect(app.getByTestId('terminal-title')).toContainText('sh in the container')
  const screen = app.getByTestId('terminal').locator('.xterm-rows')
  await expect(screen).toContainText('#')
  // Arithmetic only the shell in the container does, so the typed line cannot pass for the answer.
  // Busybox's line editor drops keys typed while it waits for its cursor query; type again then.
  await expect(async () => {
    await app.getByTestId('terminal').click()
    await app.keyboard.type('echo wb-$((6*7)); hostname\n')
    await expect(screen).toContainText('wb-42', { timeout: 5000 })
  }).toPass({ timeout: 60_000 })
  await app.screenshot({ path: 'test-results/e2e/terminal.png', fullPage: true })
  await app.getByRole('button', { name: 'Close terminal' }).click()
  await expect(app.getByRole('button', { name: 'Open terminal' })).toBeEnabled()

  // A Wasm workload that serves HTTP says it has no stdin.
  await nav.getByRole('link', { name: 'Dashboard' }).click()
  await app.getByTestId('instance-row-dash-wasm').getByRole('link', { name: 'dash-wasm' }).click()
  await expect(app.getByText('Workloads that serve HTTP have no stdin')).toBeVisible()

  // Images and modules: the world's image and module with their users; an unused image of this
  // test's own is removed after a confirmation.
  const tag = `wb-e2e/remove-me:${process.pid}`
  execFileSync('sh', [
    '-c',
    'tar -cf - -C "$1" README.md | docker import - "$2"',
    'sh',
    'test/fixtures/container',
    tag,
  ])
  await nav.getByRole('link', { name: 'Images' }).click()
  const dash = app.getByTestId('image-worldbench/e2e-dash:1')
  await expect(dash).toContainText('(running)')
  await expect(dash.getByRole('button', { name: /^Remove image/ })).toBeDisabled()
  await expect(app.getByTestId('files')).toContainText('e2e-dash/dash-wasm')
  await expect(app.getByTestId('files')).toContainText('core module')
  await app.screenshot({ path: 'test-results/e2e/images.png', fullPage: true })
  const mine = app.getByTestId(`image-${tag}`)
  await mine.getByRole('button', { name: `Remove image ${tag}` }).click()
  await mine.getByRole('button', { name: 'Confirm' }).click()
  await expect(app.getByTestId('toast').filter({ hasText: `Removed ${tag}` })).toBeVisible()
  await expect(mine).toHaveCount(0)
})
