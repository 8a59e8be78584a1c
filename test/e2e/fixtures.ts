import { _electron, test as base, type Page } from '@playwright/test'
import { electronBinary } from '../../bin/electron-binary.mjs'

/** `app`: the Worldbench UI, opened in Chromium against web mode, or in Electron for that project. */
export const test = base.extend<{ app: Page }>({
  app: async ({ page }, use, testInfo) => {
    if (testInfo.project.name === 'electron') {
      const bin = electronBinary()
      testInfo.skip(
        !bin,
        'No Electron binary on this machine (it cannot be downloaded here); the same specs ran in Chromium against web mode.',
      )
      const electronApp = await _electron.launch({
        executablePath: bin!,
        args: ['.'],
        env: { ...process.env } as Record<string, string>,
      })
      const win = await electronApp.firstWindow()
      await use(win)
      await electronApp.close()
      return
    }
    await page.goto(process.env.WB_URL!)
    await use(page)
  },
})

export { expect } from '@playwright/test'
