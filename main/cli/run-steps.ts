import { spawn } from 'node:child_process'
import { WorldbenchError } from '../core/errors.ts'
import type { ImageToPush } from '../core/export/images.ts'

/** Runs each image's build/tag/push steps (argv lists, no shell) in the export folder; stops at the first failure. */
export async function runSteps(images: ImageToPush[], cwd: string): Promise<void> {
  for (const img of images) {
    for (const argv of img.steps) {
      process.stderr.write(`$ ${argv.join(' ')}\n`)
      const code = await new Promise<number | string>((resolve) => {
        const child = spawn(argv[0]!, argv.slice(1), { cwd, stdio: ['ignore', 'inherit', 'inherit'] })
        child.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message))
        child.on('exit', (c) => resolve(c ?? 1))
      })
      if (code === 0) continue
      throw new WorldbenchError(
        'PUSH_FAILED',
        code === 'ENOENT'
          ? `Cannot push ${img.ref}: "${argv[0]}" is not installed.`
          : `Pushing ${img.ref} failed: "${argv.join(' ')}" exited with ${code}.`,
        argv[0] === 'spin'
          ? 'Install the Spin CLI (spinframework.dev), or push the app later with the command above.'
          : 'Check that the registry is reachable and that you are logged in (docker login).',
        { image: img.ref, command: argv },
      )
    }
  }
}
