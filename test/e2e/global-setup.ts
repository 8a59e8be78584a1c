import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

/**
 * Starts the real backend in web mode (`worldbench serve`) with its own state dir, and hands its
 * tokenised URL to the specs through the environment.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const home = mkdtempSync(join(tmpdir(), 'wb-e2e-'))
  const child = spawn(process.execPath, ['bin/worldbench.mjs', 'serve', '--port', '0', '--json'], {
    env: { ...process.env, WORLDBENCH_HOME: home },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! })
    rl.once('line', resolve)
    child.once('exit', (code) =>
      reject(new Error(`worldbench serve exited with ${code} before printing its URL`)),
    )
  })
  const { url, origin } = JSON.parse(line) as { url: string; origin: string }
  process.env.WB_URL = url
  process.env.WB_ORIGIN = origin
  process.env.WORLDBENCH_HOME = home
  return async () => {
    child.kill('SIGTERM')
    await new Promise((r) => child.once('exit', r))
    rmSync(home, { recursive: true, force: true })
  }
}
