// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests are about the literal ${workloads.NAME.url} syntax
/**
 * ${workloads.NAME.url} references (env values, wasm.allowHttp), wasm.link paths, and the
 * outgoing-HTTP guard of components.
 */
import { describe, expect, it } from 'vitest'
import { checkWorldText } from '../../main/core/world/load.ts'
import { refsIn, withResolvedRefs } from '../../main/core/world/refs.ts'
import {
  guardOutgoingHttp,
  normaliseOrigins,
  requestOrigin,
} from '../../main/runtimes/wasm/host/outgoing-http.ts'
import { interfaceExportName } from '../../main/runtimes/wasm/module/component-cache.ts'

const FILE = '/worlds/edge/world.yaml'

const world = (filter: string) => `apiVersion: worldbench/v1
name: edge
workloads:
  - name: backend
    kind: container
    container: { image: demo/backend:1 }
    ports: [{ guest: 8080 }]
  - name: filter
    kind: wasm
${filter}`

const GOOD = world(`    dependsOn: [backend]
    wasm: { module: ./f.wasm, serve: http, allowHttp: ['\${workloads.backend.url}', 'http://127.0.0.1:9000'], link: { 'example:text/shout': ./build/shout.wasm } }
    env: { BACKEND_URL: '\${workloads.backend.url}', MODE: strict }
`)

describe('references between workloads', () => {
  it('accepts references to dependencies and resolves wasm.link paths against the world folder', () => {
    const { world: w, issues } = checkWorldText(FILE, GOOD)
    expect(issues).toEqual([])
    const filter = w!.workloads[1]!
    expect(filter.wasm!.link).toEqual({ 'example:text/shout': '/worlds/edge/build/shout.wasm' })
    expect(filter.env.BACKEND_URL).toBe('${workloads.backend.url}')
  })

  const BAD: { name: string; text: string; path: string; message: RegExp }[] = [
    {
      name: 'a reference to a workload not in dependsOn',
      text: GOOD.replace('    dependsOn: [backend]\n', ''),
      path: 'workloads.1.env.BACKEND_URL',
      message: /must list "backend" in dependsOn/,
    },
    {
      name: 'an unknown kind of reference',
      text: GOOD.replace('MODE: strict', "MODE: '${workloads.backend.port}'"),
      path: 'workloads.1.env.MODE',
      message: /not a reference Worldbench knows/,
    },
    {
      name: 'an allowHttp entry that is not an origin',
      text: GOOD.replace("'http://127.0.0.1:9000'", "'http://127.0.0.1:9000/admin'"),
      path: 'workloads.1.wasm.allowHttp.1',
      message: /origin/,
    },
    {
      name: 'an allowHttp entry with another scheme',
      text: GOOD.replace("'http://127.0.0.1:9000'", "'ftp://127.0.0.1'"),
      path: 'workloads.1.wasm.allowHttp.1',
      message: /origin/,
    },
    {
      name: 'a link path escaping the world folder',
      text: GOOD.replace('./build/shout.wasm', '../other/shout.wasm'),
      path: 'workloads.1.wasm.link.example:text/shout',
      message: /escapes the world's folder/,
    },
    {
      name: 'a link key that is not a WIT interface',
      text: GOOD.replace("'example:text/shout'", 'shout'),
      path: 'workloads.1.wasm.link.shout',
      message: /WIT interface/,
    },
  ]
  for (const bad of BAD) {
    it(`reports ${bad.name}`, () => {
      const { world: w, issues } = checkWorldText(FILE, bad.text)
      expect(w).toBeUndefined()
      const match = issues.find((i) => i.path === bad.path && bad.message.test(i.message))
      expect(match, JSON.stringify(issues, null, 1)).toBeDefined()
      expect(match!.line).toBeGreaterThan(0)
    })
  }

  it('finds references and flags unknown ones', () => {
    expect(refsIn('x ${workloads.a.url} y ${workloads.b-2.url}')).toEqual({
      names: ['a', 'b-2'],
      invalid: [],
    })
    expect(refsIn('${env.HOME}')).toEqual({ names: [], invalid: ['${env.HOME}'] })
  })

  it('resolves env and allowHttp from the running dependency, and refuses a missing one', () => {
    const w = checkWorldText(FILE, GOOD).world!.workloads[1]!
    const resolved = withResolvedRefs(w, (name) =>
      name === 'backend' ? 'http://127.0.0.1:4242/' : undefined,
    )
    expect(resolved.env).toEqual({ BACKEND_URL: 'http://127.0.0.1:4242/', MODE: 'strict' })
    expect(resolved.wasm!.allowHttp).toEqual(['http://127.0.0.1:4242/', 'http://127.0.0.1:9000'])
    expect(w.env.BACKEND_URL).toBe('${workloads.backend.url}')
    expect(() => withResolvedRefs(w, () => undefined)).toThrow(
      /filter refers to \$\{workloads\.backend\.url\}/,
    )
  })
})

describe('outgoing HTTP of a component', () => {
  const request = (scheme: { tag: string; val?: string } | undefined, authority: string, path = '/x') => ({
    scheme: () => scheme,
    authority: () => authority,
    pathWithQuery: () => path,
  })

  it('passes declared origins through and refuses others with a log line naming the URL', () => {
    const sent: string[] = []
    const logs: string[] = []
    const handler = { handle: (r: ReturnType<typeof request>) => sent.push(requestOrigin(r)) }
    guardOutgoingHttp(handler as never, ['http://127.0.0.1:18480/'], (l) => logs.push(l))
    handler.handle(request({ tag: 'HTTP' }, '127.0.0.1:18480'))
    expect(sent).toEqual(['http://127.0.0.1:18480'])
    expect(() => handler.handle(request({ tag: 'HTTP' }, '127.0.0.1:18481', '/secret?q=1'))).toThrow()
    expect(() => handler.handle(request(undefined, '127.0.0.1:18480'))).toThrow() // https by default
    expect(() => handler.handle(request({ tag: 'other', val: 'ftp' }, '127.0.0.1:18480'))).toThrow()
    expect(sent).toHaveLength(1)
    expect(logs[0]).toContain('denied: outgoing HTTP to http://127.0.0.1:18481/secret?q=1')
  })

  it('refuses everything when nothing is declared', () => {
    const logs: string[] = []
    const handler = { handle: (_r: ReturnType<typeof request>) => 'sent' }
    guardOutgoingHttp(handler as never, [], (l) => logs.push(l))
    expect(() => handler.handle(request({ tag: 'HTTP' }, 'example.com'))).toThrow()
    expect(logs[0]).toMatch(/example\.com.*empty/)
  })
})

describe('wasm.link', () => {
  it('maps a WIT interface to the name jco gives its export', () => {
    expect(interfaceExportName('example:text/shout')).toBe('shout')
    expect(interfaceExportName('my:pkg/text-tools@1.2.0')).toBe('textTools')
  })
})

describe('wasm.allowHttp entries the host cannot use', () => {
  it('allow nothing and are noted in the log, instead of failing the host', () => {
    const logs: string[] = []
    expect([
      ...normaliseOrigins(['${workloads.backend.url}', 'http://127.0.0.1:80/'], (l) => logs.push(l)),
    ]).toEqual(['http://127.0.0.1'])
    expect(logs[0]).toContain('"${workloads.backend.url}" is not a URL')
  })
})
