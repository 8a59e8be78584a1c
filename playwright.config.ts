import { defineConfig } from '@playwright/test'

/** Debian's Chromium, never a downloaded browser; flags that keep it off the closed network. */
const chromium = {
  browserName: 'chromium' as const,
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  },
}

// E2E: the real renderer against the real backend. "web" drives `worldbench serve` in Debian's
// Chromium (never a downloaded browser); "electron" runs the same specs in the desktop app where
// an Electron binary exists, and is skipped with the reason where it does not.
export default defineConfig({
  testDir: 'test/e2e',
  timeout: 240_000,
  expect: { timeout: 30_000 },
  workers: 1,
  reporter: [['list']],
  outputDir: 'test-results/e2e',
  globalSetup: './test/e2e/global-setup.ts',
  use: {
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  projects: [
    { name: 'web', use: chromium },
    // The Electron project launches the desktop app itself; `chromium` only backs Playwright's page fixture.
    { name: 'electron', use: chromium },
  ],
})
