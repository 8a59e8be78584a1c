import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { PortBinding } from '../../../contract/api.ts'
import { WorldbenchError } from '../../core/errors.ts'
import { projectRoot } from '../../core/paths.ts'
import type { DirectRun } from '../../core/runtime.ts'
import type { Workload } from '../../core/world/schema.ts'

/**
 * The bench's baseline: the least a person would write to serve a CGI module with Node's WASI
 * alone (direct-cgi.mjs: compile once, an instance per request), with none of Worldbench.
 */
export function startDirectCgi(w: Workload, ports: PortBinding[]): DirectRun {
  const script = join(projectRoot(), 'main', 'runtimes', 'wasm', 'direct-cgi.mjs')
  if (w.wasm?.serve !== 'cgi' || !w.wasm.module || !existsSync(script))
    throw new WorldbenchError(
      'NO_DIRECT_BASELINE',
      `There is no direct baseline for ${w.name}: only CGI modules have one, from a source checkout.`,
      'Leave out --direct for this world.',
    )
  const child = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', script, w.wasm.module, String(ports[0]!.host)],
    {
      stdio: 'ignore',
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    },
  )
  const exited = new Promise((r) => child.once('exit', r))
  return {
    stop: async () => {
      child.kill('SIGTERM')
      await exited
    },
  }
}
