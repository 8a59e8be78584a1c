// The renderer's main-thread work per frame, from a Chromium trace: ProxyMain::BeginMainFrame
// events (style, layout, paint, layerize of one frame).
import type { Browser, Page } from 'playwright-core'

export interface FrameWork {
  frames: number
  medianMs: number
  maxMs: number
  /** Frames whose main-thread work alone is over a 60 Hz frame's 16.7 ms. */
  overBudget: number
}

interface TraceEvent {
  name: string
  ph: string
  dur?: number
}

export async function traceFrameWork(browser: Browser, page: Page, seconds: number): Promise<FrameWork> {
  await browser.startTracing(page, {
    categories: ['cc', 'devtools.timeline', 'disabled-by-default-devtools.timeline.frame'],
  })
  await new Promise((r) => setTimeout(r, seconds * 1000))
  const events = (JSON.parse((await browser.stopTracing()).toString()) as { traceEvents: TraceEvent[] })
    .traceEvents
  // Only a renderer's main thread runs BeginMainFrame, and the dashboard is the only page.
  const ms = events
    .filter((e) => e.ph === 'X' && e.name === 'ProxyMain::BeginMainFrame')
    .map((e) => (e.dur ?? 0) / 1000)
    .sort((a, b) => a - b)
  return {
    frames: ms.length,
    medianMs: ms[Math.floor(ms.length / 2)] ?? 0,
    maxMs: ms.at(-1) ?? 0,
    overBudget: ms.filter((d) => d > 1000 / 60).length,
  }
}
