// The renderer's cost per update: the built renderer (out/renderer) in Debian's Chromium, served by
// the real web-mode server, fed by the synthetic service (100 instances, one tick a second).
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { projectRoot } from '../../main/core/paths.ts'
import { startWebServer } from '../../main/server.ts'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../test/e2e/chromium.ts'
import { type FrameWork, traceFrameWork } from './frame-trace.ts'
import { syntheticService } from './synthetic-service.ts'

export interface RendererCost {
  instances: number
  ticks: number
  scriptMsPerUpdate: number
  layoutAndStyleMsPerUpdate: number
  taskMsPerUpdate: number
  /** Long animation frames (> 50 ms to produce) during the window: frames the user sees dropped. */
  slowFrames: number
  slowestFrameMs: number
  longTasks: number
  /** Main-thread work per rendered frame, from a trace taken after the metrics window. */
  frameWork: FrameWork
  firstContentfulPaintMs: number
  rowsVisibleMs: number
}

// Runs in the page before any of its scripts: when the rows are in, and observers for slow frames.
// No requestAnimationFrame loop: one would force a frame every 16 ms and its callbacks would be
// counted as the dashboard's scripting. Long animation frames (LoAF) are Chromium's own record of
// frames that took longer than 50 ms to produce: the frames a user sees dropped.
const PAGE_PROBES = `
  window.__bench = { rowsAt: undefined, slowFrames: [], longTasks: 0, recording: false }
  const watchRows = () => {
    if (document.querySelectorAll('[data-testid^="instance-row-"]').length >= __ROWS__) window.__bench.rowsAt = performance.now()
    else requestAnimationFrame(watchRows)
  }
  requestAnimationFrame(watchRows)
  new PerformanceObserver((l) => {
    if (window.__bench.recording) for (const e of l.getEntries()) window.__bench.slowFrames.push(e.duration)
  }).observe({ type: 'long-animation-frame' })
  new PerformanceObserver((l) => { if (window.__bench.recording) window.__bench.longTasks += l.getEntries().length }).observe({ type: 'longtask' })
`

export async function measureRendererCost(count: number, seconds: number): Promise<RendererCost> {
  const rendererDir = join(projectRoot(), 'out', 'renderer')
  if (!existsSync(join(rendererDir, 'index.html')))
    throw new Error('out/renderer is missing: build it first with "npx electron-vite build".')
  const svc = syntheticService(count)
  const server = await startWebServer({ handlers: svc.handlers, bus: svc.bus, rendererDir })
  svc.start()
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
  })
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    await page.addInitScript(PAGE_PROBES.replace('__ROWS__', String(count)))
    await page.goto(server.url)
    await page.waitForFunction(
      () => (window as unknown as { __bench: { rowsAt?: number } }).__bench.rowsAt !== undefined,
      null,
      { timeout: 30_000 },
    )
    // The paint entry is queued after the frame that painted; give it a moment to be recorded.
    await page
      .waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0, null, {
        timeout: 5000,
      })
      .catch(() => undefined)
    const firstPaint = await page.evaluate(() => ({
      fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
      rows: (window as unknown as { __bench: { rowsAt: number } }).__bench.rowsAt,
    }))
    // Steady state: sparklines hold a few points before the window opens.
    await page.waitForFunction(
      () => Number(document.querySelector('.sparkline')?.getAttribute('data-points')) >= 3,
      null,
      { timeout: 30_000 },
    )

    const cdp = await page.context().newCDPSession(page)
    await cdp.send('Performance.enable')
    const metrics = async () =>
      Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]))
    let ticks = 0
    const off = svc.bus.on('samples', () => ticks++)
    await page.evaluate(() => {
      ;(window as unknown as { __bench: { recording: boolean } }).__bench.recording = true
    })
    const m0 = await metrics()
    await new Promise((r) => setTimeout(r, seconds * 1000 + 300))
    const m1 = await metrics()
    off()
    const frames = await page.evaluate(() => {
      const b = (
        window as unknown as { __bench: { slowFrames: number[]; longTasks: number; recording: boolean } }
      ).__bench
      b.recording = false
      return { slow: b.slowFrames, longTasks: b.longTasks }
    })
    const per = (name: string) => ((m1[name]! - m0[name]!) * 1000) / Math.max(ticks, 1)
    // After the metrics window: tracing has a cost of its own, kept out of the numbers above.
    const frameWork = await traceFrameWork(browser, page, Math.min(seconds, 8))
    return {
      frameWork,
      instances: count,
      ticks,
      scriptMsPerUpdate: per('ScriptDuration'),
      layoutAndStyleMsPerUpdate: per('LayoutDuration') + per('RecalcStyleDuration'),
      taskMsPerUpdate: per('TaskDuration'),
      slowFrames: frames.slow.length,
      slowestFrameMs: Math.max(0, ...frames.slow),
      longTasks: frames.longTasks,
      firstContentfulPaintMs: firstPaint.fcp,
      rowsVisibleMs: firstPaint.rows,
    }
  } finally {
    svc.stop()
    await browser.close()
    await server.close()
  }
}
