import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { DoctorReport } from '../../contract/api.ts'

function worldbench(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['bin/worldbench.mjs', ...args],
      { env: { ...process.env, ...env }, timeout: 120_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })
      },
    )
  })
}

describe('the worldbench CLI', () => {
  it('prints its version and help', async () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }
    expect((await worldbench(['--version'])).stdout.trim()).toBe(pkg.version)
    const help = await worldbench(['--help'])
    for (const cmd of ['doctor', 'serve', 'up', 'down', 'ps', 'logs', 'validate', 'run', 'bench'])
      expect(help.stdout).toContain(cmd)
  })

  it('doctor --json reports the three kinds honestly, and all three work here', async () => {
    const res = await worldbench(['doctor', '--json'])
    const report = JSON.parse(res.stdout) as DoctorReport
    const byKind = Object.fromEntries(report.engines.map((e) => [e.kind, e]))
    expect(byKind.container?.engine, res.stderr).toMatch(/Docker|Podman/)
    expect(byKind.vm?.engine).toMatch(/QEMU \d+\.\d+/)
    expect(byKind.vm?.details.accelerators).toContain('tcg')
    expect(byKind.wasm?.details.v8).toBe(process.versions.v8)
    expect(res.code).toBe(0)
  })

  it('doctor fails with the message and a hint when the container engine is not there', async () => {
    const res = await worldbench(['doctor'], { DOCKER_HOST: 'unix:///nonexistent/docker.sock' })
    expect(res.code).toBe(1)
    expect(res.stdout).toMatch(/container\s+MISSING/)
    expect(res.stderr).toContain('/nonexistent/docker.sock')
    expect(res.stderr).toMatch(/hint: /)
  })

  it('starts under the system Node too, handing over to the project Node 24', async () => {
    const res = await new Promise<string>((resolve) =>
      execFile('/usr/bin/node', ['bin/worldbench.mjs', '--version'], (_e, stdout) => resolve(stdout)),
    )
    expect(res.trim()).toMatch(/^\d+\.\d+\.\d+$/)
  })

  it('rejects an unknown command with help', async () => {
    const res = await worldbench(['frobnicate'])
    expect(res.code).not.toBe(0)
    expect(res.stderr).toMatch(/unknown command/)
  })

  it('bench: the verdict first, figures without a spread say so, then the full cost and the overhead against the engines alone', async () => {
    const res = await worldbench([
      'bench',
      'hello-trio',
      '--kinds',
      'wasm,container',
      '--repeats',
      '1',
      '--warmups',
      '0',
      '--load-seconds',
      '1',
      '--idle-seconds',
      '0.5',
      '--direct',
    ])
    expect(res.code, res.stderr).toBe(0)
    const out = res.stdout.split('\n')
    expect(out[0]).toContain('1 repeat (no spread: 1 repeat)')
    expect(out[3]).toMatch(/^Here, Wasm was the most efficient on \d of 6 metrics/)
    expect(res.stdout).toMatch(/^ {2}first response: (Wasm|The container) best/m)
    expect(res.stdout).not.toContain('~noisy')
    expect(res.stdout).toMatch(/^ {2}container: \d+ ms vs \d+ ms direct = \d+\.\d\d×$/m)
    expect(res.stdout).toMatch(/^container idle memory = cgroup .* \+ containerd-shim-runc-v2 /m)
    expect(res.stdout).toMatch(/^container engine overhead \(shared, not in any workload\): dockerd /m)
  })
})
