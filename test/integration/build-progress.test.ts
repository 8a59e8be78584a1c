import { mkdtempSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { EventMap } from '../../contract/api.ts'
import { createService } from '../../main/create-service.ts'
import { httpGet, trustTestWorld } from './helpers.ts'

const HELLO = join(
  import.meta.dirname,
  '..',
  '..',
  'resources',
  'worlds',
  'hello-trio',
  'build',
  'hello.wasm',
)

/** A world whose Wasm module is made by its `wasm.build` script (a real bash script) at first start. */
function worldWithBuild(name: string, script: string): string {
  const dir = mkdtempSync(join(process.env.WORLDBENCH_HOME!, 'world-'))
  writeFileSync(join(dir, 'build.sh'), script)
  const file = join(dir, 'world.yaml')
  writeFileSync(
    file,
    `apiVersion: worldbench/v1
name: ${name}
workloads:
  - name: handler
    kind: wasm
    wasm: { module: ./out/hello.wasm, serve: cgi, build: ./build.sh }
    ports: [{ host: 0, guest: 8080 }]
    ready: { http: /, timeoutSeconds: 30 }
`,
  )
  return file
}

describe('a Wasm build script runs with its output as progress', () => {
  const service = createService()
  const progress: EventMap['progress'][] = []
  service.bus.on('progress', (p) => progress.push(p))
  afterAll(async () => {
    await service.close({ stopAll: true })
  })

  it('streams each line the script prints to the progress of its workload, then serves the module', async () => {
    const file = worldWithBuild(
      'wasm-built',
      `set -e
here=$(cd "$(dirname "$0")" && pwd)
echo "compiling hello.c"
echo "a warning on stderr" >&2
mkdir -p "$here/out"
cp ${JSON.stringify(HELLO)} "$here/out/hello.wasm"
echo "linked hello.wasm"
`,
    )
    await trustTestWorld(service, file)
    const status = await service.handlers.worldUp({ world: file })
    expect(status.failed).toEqual([])
    const lines = progress.filter((p) => p.scope === 'wasm-built/handler' && p.step === 'build')
    expect(lines.map((p) => p.message)).toEqual(
      expect.arrayContaining(['compiling hello.c', 'a warning on stderr', 'linked hello.wasm']),
    )
    expect((await httpGet(status.instances[0]!.ports[0]!.url)).status).toBe(200)
    await service.handlers.worldDown({ world: 'wasm-built' })
  })

  it('a build that fails names the script, its exit code and its last lines; nothing is left running', async () => {
    const file = worldWithBuild('wasm-unbuilt', 'echo "hello.c:3: error: stdio.h not found"\nexit 4\n')
    await trustTestWorld(service, file)
    const status = await service.handlers.worldUp({ world: file })
    expect(status.instances).toEqual([])
    const error = status.failed[0]!.error
    expect(error.code).toBe('WASM_BUILD_FAILED')
    expect(error.message).toContain('build.sh')
    expect(error.message).toContain('exit code 4')
    expect(error.message).toContain('hello.c:3: error: stdio.h not found')
    expect(service.listInstances().filter((i) => i.world === 'wasm-unbuilt')).toEqual([])
  })
})
