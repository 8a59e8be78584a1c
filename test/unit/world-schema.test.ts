import { describe, expect, it } from 'vitest'
import { networksOf } from '../../main/core/world/kinds/container.ts'
import { checkWorldText } from '../../main/core/world/load.ts'
import { dependencyCycle, startWaves } from '../../main/core/world/order.ts'

const FILE = '/worlds/demo/world.yaml'

const GOOD = `apiVersion: worldbench/v1
name: demo
description: a good world
workloads:
  - name: api
    kind: container
    container: { image: demo/api:1, build: ./api }
    ports: [{ host: 0, guest: 8080 }]
  - name: edge
    kind: wasm
    wasm: { module: ./edge.wasm, serve: cgi }
    ports: [{ guest: 8080 }]
    dependsOn: [api]
  - name: box
    kind: vm
    vm: { kernel: ./vm/vmlinuz, initrd: ./vm/initrd.img }
    ready: { http: /, timeoutSeconds: 180 }
`

/** A table of bad world files and what the user must be told: field path, message, line. */
const BAD: { name: string; text: string; path: string; message: RegExp; line?: number }[] = [
  { name: 'malformed YAML', text: 'apiVersion: worldbench/v1\nname: [x\n', path: '', message: /YAML/ },
  {
    name: 'wrong apiVersion',
    text: GOOD.replace('worldbench/v1', 'worldbench/v9'),
    path: 'apiVersion',
    message: /worldbench\/v1/,
    line: 1,
  },
  { name: 'unknown top-level field', text: `${GOOD}colour: blue\n`, path: '', message: /colour/ },
  {
    name: 'unknown workload field',
    text: GOOD.replace('    dependsOn: [api]', '    dependson: [api]'),
    path: 'workloads.1',
    message: /dependson/,
    line: 13,
  },
  {
    name: 'bad kind',
    text: GOOD.replace('kind: vm', 'kind: vmware'),
    path: 'workloads.2.kind',
    message: /vm|container|wasm/,
    line: 15,
  },
  {
    name: 'missing kind section',
    text: GOOD.replace('    container: { image: demo/api:1, build: ./api }\n', ''),
    path: 'workloads.0.container',
    message: /needs a "container" section/,
  },
  {
    name: 'two kind sections',
    text: GOOD.replace(
      '    wasm: { module: ./edge.wasm, serve: cgi }',
      '    wasm: { module: ./edge.wasm, serve: cgi }\n    vm: { kernel: ./k }',
    ),
    path: 'workloads.1.vm',
    message: /cannot have a "vm" section/,
  },
  {
    name: 'bad port',
    text: GOOD.replace('guest: 8080 }]\n  - name: edge', 'guest: 99999 }]\n  - name: edge'),
    path: 'workloads.0.ports.0.guest',
    message: /65535/,
    line: 8,
  },
  {
    name: 'bad name',
    text: GOOD.replace('name: api', 'name: API_Server'),
    path: 'workloads.0.name',
    message: /lowercase/,
  },
  {
    name: 'duplicate names',
    text: GOOD.replace('name: box', 'name: api').replace('dependsOn: [api]', 'dependsOn: []'),
    path: 'workloads.2.name',
    message: /duplicate workload name "api"/,
    line: 14,
  },
  {
    name: 'unknown dependency',
    text: GOOD.replace('dependsOn: [api]', 'dependsOn: [db]'),
    path: 'workloads.1.dependsOn.0',
    message: /depends on "db", which is not a workload/,
  },
  {
    name: 'dependency cycle',
    text: GOOD.replace(
      '    container: { image: demo/api:1, build: ./api }',
      '    container: { image: demo/api:1, build: ./api }\n    dependsOn: [edge]',
    ),
    path: 'workloads.0.dependsOn',
    message: /cycle: api → edge → api/,
  },
  {
    name: 'duplicate host ports',
    text: GOOD.replace('{ host: 0, guest: 8080 }', '{ host: 9000, guest: 8080 }').replace(
      '[{ guest: 8080 }]',
      '[{ host: 9000, guest: 8080 }]',
    ),
    path: 'workloads.1.ports.0.host',
    message: /host port 9000 is used by both "api" and "edge"/,
  },
  {
    name: 'path escaping the folder',
    text: GOOD.replace('./edge.wasm', '../../etc/passwd'),
    path: 'workloads.1.wasm.module',
    message: /escapes the world's folder/,
  },
  {
    name: 'absolute path',
    text: GOOD.replace('./vm/vmlinuz', '/boot/vmlinuz'),
    path: 'workloads.2.vm.kernel',
    message: /escapes/,
  },
  {
    name: 'vm without kernel or disk',
    text: GOOD.replace('vm: { kernel: ./vm/vmlinuz, initrd: ./vm/initrd.img }', 'vm: { memoryMiB: 128 }'),
    path: 'workloads.2.vm',
    message: /kernel .* or a disk/,
  },
  {
    name: 'no workloads',
    text: 'apiVersion: worldbench/v1\nname: empty\nworkloads: []\n',
    path: 'workloads',
    message: /1/,
  },
  {
    name: 'both network spellings on one container',
    text: GOOD.replace('build: ./api }', 'build: ./api, network: a, networks: [b] }'),
    path: 'workloads.0.container.network',
    message: /say the networks once/,
    line: 7,
  },
  {
    name: 'a network given settings that no container joins (a typo would drop "internal")',
    text: GOOD.replace(
      'description: a good world\n',
      'description: a good world\nnetworks:\n  bakc: { internal: true }\n',
    ),
    path: 'networks.bakc',
    message: /no container joins network "bakc"/,
    line: 5,
  },
  {
    name: 'a container with ports on internal networks only',
    text: GOOD.replace(
      'description: a good world\n',
      'description: a good world\nnetworks: { back: { internal: true } }\n',
    ).replace('build: ./api }', 'build: ./api, networks: [back] }'),
    path: 'workloads.0.ports',
    message: /"api" is on internal networks only \(back\), where the engine publishes no port/,
    line: 9,
  },
  {
    name: 'a network setting that does not exist',
    text: GOOD.replace(
      'description: a good world\n',
      'description: a good world\nnetworks: { back: { internl: true } }\n',
    ),
    path: 'networks.back',
    message: /internl/,
    line: 4,
  },
  {
    name: 'a network named twice',
    text: GOOD.replace('build: ./api }', 'build: ./api, networks: [a, { name: a, aliases: [x] }] }'),
    path: 'workloads.0.container.networks.1',
    message: /"a" is named twice/,
    line: 7,
  },
  {
    name: 'an alias that is not a host name',
    text: GOOD.replace('build: ./api }', 'build: ./api, networks: [{ name: a, aliases: ["x y"] }] }'),
    path: 'workloads.0.container.networks.0.aliases.0',
    message: /host name/,
  },
  {
    name: 'duplicate YAML key',
    text: 'apiVersion: worldbench/v1\nname: a\nname: b\nworkloads: []\n',
    path: '',
    message: /YAML.*[Uu]nique|duplicate/i,
  },
]

describe('world files', () => {
  it('accepts a good world, resolves its paths against its folder and names the world on each workload', () => {
    const { world, issues } = checkWorldText(FILE, GOOD)
    expect(issues).toEqual([])
    expect(world!.workloads.map((w) => w.world)).toEqual(['demo', 'demo', 'demo'])
    expect(world!.workloads[0]!.container!.build).toBe('/worlds/demo/api')
    expect(world!.workloads[1]!.wasm!.module).toBe('/worlds/demo/edge.wasm')
    expect(world!.workloads[1]!.ports[0]).toEqual({ host: 0, guest: 8080, bind: '127.0.0.1' })
    expect(world!.workloads[2]!.vm!.memoryMiB).toBe(128)
  })

  it('reads a container\'s networks (with aliases) and the older single "network" alike', () => {
    const many = checkWorldText(
      FILE,
      GOOD.replace('build: ./api }', 'build: ./api, networks: [front, { name: back, aliases: [db] }] }'),
    )
    expect(many.issues).toEqual([])
    expect(networksOf(many.world!.workloads[0]!.container)).toEqual([
      { name: 'front', aliases: [], internal: false },
      { name: 'back', aliases: ['db'], internal: false },
    ])
    const one = checkWorldText(FILE, GOOD.replace('build: ./api }', 'build: ./api, network: default }'))
    expect(one.issues).toEqual([])
    expect(networksOf(one.world!.workloads[0]!.container)).toEqual([
      { name: 'default', aliases: [], internal: false },
    ])
    expect(networksOf(checkWorldText(FILE, GOOD).world!.workloads[0]!.container)).toEqual([])
  })

  it('gives a network of the world its settings: each container on it is told it is internal', () => {
    const { world, issues } = checkWorldText(
      FILE,
      GOOD.replace(
        'description: a good world\n',
        'description: a good world\nnetworks:\n  back: { internal: true }\n',
      ).replace('build: ./api }', 'build: ./api, networks: [front, back] }'),
    )
    expect(issues).toEqual([])
    expect(world!.networks).toEqual({ back: { internal: true } })
    const api = world!.workloads[0]!
    expect(networksOf(api.container, api.worldNetworks).map((n) => [n.name, n.internal])).toEqual([
      ['front', false],
      ['back', true],
    ])
    expect(world!.workloads[1]!.worldNetworks).toBeUndefined()
  })

  for (const bad of BAD) {
    it(`reports ${bad.name} with file, position, field path and what was expected`, () => {
      const { world, issues } = checkWorldText(FILE, bad.text)
      expect(world).toBeUndefined()
      const match = issues.find((i) => i.path === bad.path && bad.message.test(i.message))
      expect(match, JSON.stringify(issues, null, 1)).toBeDefined()
      expect(match!.file).toBe(FILE)
      if (bad.line !== undefined) expect(match!.line).toBe(bad.line)
      if (bad.path !== '') expect(match!.line).toBeGreaterThan(0)
    })
  }
})

describe('dependency order', () => {
  const w = (name: string, ...dependsOn: string[]) => ({ name, dependsOn })

  it('starts independent workloads together and dependants after what they need', () => {
    const waves = startWaves([
      w('web', 'api', 'cache'),
      w('api', 'db'),
      w('db'),
      w('cache'),
      w('worker', 'db'),
    ])
    expect(waves.map((wave) => wave.map((x) => x.name).sort())).toEqual([
      ['cache', 'db'],
      ['api', 'worker'],
      ['web'],
    ])
  })

  it('finds cycles, including long ones, and none in a DAG', () => {
    expect(dependencyCycle([w('a', 'b'), w('b', 'c'), w('c', 'a')])).toEqual(['a', 'b', 'c', 'a'])
    expect(dependencyCycle([w('a', 'b'), w('b'), w('c', 'a', 'b')])).toBeUndefined()
    expect(() => startWaves([w('a', 'b'), w('b', 'a')])).toThrow(/cycle/)
  })
})
