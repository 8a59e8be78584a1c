import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { expect, test } from './fixtures.ts'

const FILE = `${process.cwd()}/test/fixtures/worlds/wasm-only/world.yaml`
const WORLD = 'wasm-only'

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

/** A `worldbench serve` of this test's own, on a fixed port and token so a page can come back to it. */
async function serve(
  home: string,
  port: number,
  token: string,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['bin/worldbench.mjs', 'serve', '--port', String(port), '--json'], {
    env: { ...process.env, WORLDBENCH_HOME: home, WORLDBENCH_TOKEN: token },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve)
    child.once('exit', (code) => reject(new Error(`worldbench serve exited with ${code}`)))
  })
  return { child, url: (JSON.parse(line) as { url: string }).url }
}

test('the service is killed: a banner, frozen state marked, and after it comes back the page reconnects and shows the truth', async ({
  page,
}, testInfo) => {
  test.skip(testInfo.project.name === 'electron', 'Web mode: the desktop app has no connection to lose.')
  const home = mkdtempSync(join(tmpdir(), 'wb-e2e-reconnect-'))
  const port = await freePort()
  const token = randomBytes(24).toString('base64url')
  let service = await serve(home, port, token)
  try {
    await page.goto(service.url)
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Worlds' }).click()
    await page.getByLabel('Open a world file').fill(FILE)
    await page.getByRole('button', { name: 'Open', exact: true }).click()
    // Its prepare script runs once the person confirms (the app asks before a world's scripts run).
    page.on('dialog', (d) => void d.accept())
    await page.getByRole('button', { name: `Launch ${WORLD}` }).click()
    const state = page.getByTestId(`world-state-${WORLD}`)
    await expect(state).toHaveText('running', { timeout: 60_000 })
    const link = page.getByTestId(`world-status-${WORLD}`).getByRole('link', { name: 'hello' })
    const before = await link.getAttribute('href')

    // Killed outright: no goodbye on the socket. Its Wasm host ends with it.
    service.child.kill('SIGKILL')
    await new Promise((r) => service.child.once('exit', r))
    await expect(page.getByTestId('connection-banner')).toContainText(
      'Disconnected from the service — reconnecting…',
    )
    await page.screenshot({ path: 'test-results/e2e/disconnected.png', fullPage: true })

    // It comes back (same port and token); it brings the world up again as a new instance.
    service = await serve(home, port, token)
    await expect(page.getByTestId('connection-banner')).toHaveCount(0, { timeout: 30_000 })
    await expect(state).toHaveText('running', { timeout: 60_000 })
    await expect(link).toHaveCount(1)
    await expect.poll(() => link.getAttribute('href'), { timeout: 30_000 }).not.toBe(before)
  } finally {
    service.child.kill('SIGTERM')
    await new Promise((r) => (service.child.exitCode !== null ? r(null) : service.child.once('exit', r)))
    rmSync(home, { recursive: true, force: true })
  }
})

test("the world editor's check cut off by a lost connection runs again once it is back", async ({
  app,
}, testInfo) => {
  test.skip(testInfo.project.name === 'electron', 'Web mode: the desktop app has no connection to lose.')
  // The fault, faked because it cannot be timed otherwise: the connection drops while the
  // service is checking the text. Everything else goes through to the real service.
  let dropped = false
  await app.routeWebSocket(/\/api$/, (ws) => {
    const server = ws.connectToServer()
    ws.onMessage((message) => {
      if (!dropped && String(message).includes('checkWorldText') && String(message).includes('bogus')) {
        dropped = true
        void ws.close()
        void server.close()
        return
      }
      server.send(message)
    })
  })
  await app.reload()
  await app.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Worlds' }).click()
  await app
    .getByLabel('Pick a world file')
    .setInputFiles(`${process.cwd()}/test/fixtures/worlds/bad-port.yaml`)
  const editor = app.getByTestId('world-editor')
  await expect(editor.locator('.cm-lintRange-error')).toHaveText('70000')

  await app.getByLabel('World file text').click()
  await app.keyboard.press('ControlOrMeta+End')
  await app.keyboard.insertText('\n    bogus: 1')
  // No edit after the reconnect: the check runs again by itself.
  await expect(editor.locator('.cm-content .cm-line').nth(7).locator('.cm-lintRange-error')).toBeVisible()
  expect(dropped).toBe(true)
  await expect(app.getByTestId('editor-issues')).toContainText('Unrecognized key: "bogus"')
  await expect(editor.getByText('Could not check the file')).toHaveCount(0)
})
