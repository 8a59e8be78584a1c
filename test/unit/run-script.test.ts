import { describe, expect, it } from 'vitest'
import { runScript } from '../../main/core/run-script.ts'

/** Real bash processes: what a build script prints reaches progress line by line, whole. */
describe('runScript', () => {
  it('hands over each line once, whole, even when it is written in pieces', async () => {
    const lines: string[] = []
    const run = await runScript(
      'bash',
      ['-c', 'printf "comp"; sleep 0.2; printf "iling é\\nlinking\\n\\n"; echo "warning" >&2; printf "done"'],
      { onLine: (l) => lines.push(l) },
    )
    expect(run.code).toBe(0)
    expect(lines.sort()).toEqual(['compiling é', 'done', 'linking', 'warning'])
  })

  it('keeps the last lines and the exit code of a script that fails', async () => {
    const run = await runScript('bash', ['-c', 'for i in 1 2 3 4 5; do echo "line $i"; done; exit 3'], {
      onLine: () => {},
      keep: 2,
    })
    expect(run).toEqual({ code: 3, tail: ['line 4', 'line 5'] })
  })

  it('says why a script could not start at all', async () => {
    const run = await runScript('/nonexistent/build.sh', [], { onLine: () => {} })
    expect(run.code).toBeUndefined()
    expect(run.error?.message).toContain('ENOENT')
  })
})
