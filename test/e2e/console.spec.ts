import { execFileSync } from 'node:child_process'
import type { Page } from '@playwright/test'
import { expect, test } from './fixtures.ts'

// hello-trio's VM (a busybox initramfs with sh on its serial console), and a Wasm command that
// answers its stdin in capitals (test/fixtures/wasm/echo.c).
const COMMAND = 'test/fixtures/worlds/wasm-command/world.yaml'

const cli = (...args: string[]) =>
  execFileSync(process.execPath, ['bin/worldbench.mjs', ...args], { env: process.env, encoding: 'utf8' })

test.afterAll(() => {
  for (const world of ['hello-trio', COMMAND]) {
    try {
      cli('down', world)
    } catch {
      // nothing was running
    }
  }
})

async function openTerminal(app: Page, workload: string) {
  await app.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click()
  await app.getByTestId(`instance-row-${workload}`).getByRole('link', { name: workload }).click()
  await app.getByRole('button', { name: 'Open terminal' }).click()
  return app.getByTestId('terminal').locator('.xterm-rows')
}

test('the VM’s serial console: type a command, the guest answers', async ({ app }) => {
  cli('up', 'hello-trio', '--json')
  const screen = await openTerminal(app, 'hello-vm')
  await expect(app.getByTestId('terminal-title')).toHaveText('serial console of the VM')
  await expect(screen).toContainText('#')
  // Arithmetic only the guest's shell does, so the typed line cannot pass for the answer. Busybox's
  // line editor drops keys typed while it waits for its cursor query; type again then.
  await expect(async () => {
    await app.getByTestId('terminal').click()
    await app.keyboard.type('echo wb-$((6*7)); uname -s\n')
    await expect(screen).toContainText('wb-42', { timeout: 5000 })
  }).toPass({ timeout: 60_000 })
  await expect(screen).toContainText('Linux')
  await app.screenshot({ path: 'test-results/e2e/vm-console.png', fullPage: true })
  await app.getByRole('button', { name: 'Close terminal' }).click()
  await expect(app.getByRole('button', { name: 'Open terminal' })).toBeEnabled()
})

test('a Wasm command: what is typed is its stdin, what it prints shows, Ctrl-D ends it', async ({ app }) => {
  cli('up', COMMAND, '--json', '--yes')
  // Its own run read an empty stdin and ended; the terminal is a fresh run of the module.
  const screen = await openTerminal(app, 'echo')
  await expect(app.getByTestId('terminal-title')).toContainText('a fresh run of the command')
  await expect(screen).toContainText('sandbox: no directories; env none; no port')
  await expect(screen).toContainText('echo>')
  await app.getByTestId('terminal').click()
  await app.keyboard.type('hello wasm\n')
  await expect(screen).toContainText('heard: HELLO WASM')
  await app.keyboard.press('Control+D')
  await expect(screen).toContainText('bye after 1 lines')
  await expect(screen).toContainText('[exited with code 0]')
  await app.screenshot({ path: 'test-results/e2e/wasm-command-terminal.png', fullPage: true })
})
