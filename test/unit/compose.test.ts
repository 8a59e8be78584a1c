// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Compose's ${VAR} syntax is the subject of these tests
import { describe, expect, it } from 'vitest'
import { interpolate } from '../../main/core/compose/interpolate.ts'
import { checkComposeText, isComposeFile } from '../../main/core/compose/load.ts'
import { mapPort } from '../../main/core/compose/ports.ts'
import { shellWords } from '../../main/core/compose/shell-words.ts'
import { mebibytes, seconds } from '../../main/core/compose/units.ts'
import { checkWorldText } from '../../main/core/world/load.ts'

const FILE = '/projects/shop/compose.yaml'
const check = (text: string, env: Record<string, string> = {}) => checkComposeText(FILE, text, env)

const GOOD = `services:
  api:
    image: shop/api:1
    command: ["serve", "--port", "8080"]
    ports: ["127.0.0.1:18080:8080"]
    healthcheck:
      test: wget -q -O /dev/null http://127.0.0.1:8080/
      interval: 2s
  web:
    build: ./web
    ports: [8080]
    depends_on: [api]
`

describe('Compose in: mapping', () => {
  it('maps services to container workloads named after the folder', () => {
    const { world, issues, warnings } = check(GOOD)
    expect(issues).toEqual([])
    expect(warnings).toEqual([])
    expect(world!.name).toBe('shop')
    const [api, web] = world!.workloads
    expect(api).toMatchObject({
      name: 'api',
      kind: 'container',
      container: { image: 'shop/api:1', command: ['serve', '--port', '8080'] },
      ports: [{ host: 18080, guest: 8080, bind: '127.0.0.1' }],
      ready: {
        command: ['/bin/sh', '-c', 'wget -q -O /dev/null http://127.0.0.1:8080/'],
        intervalSeconds: 2,
      },
    })
    // A build with no image gets the name Compose would give it; a bare port stays on 127.0.0.1.
    expect(web).toMatchObject({
      container: { image: 'shop-web', build: '/projects/shop/web' },
      ports: [{ host: 0, guest: 8080, bind: '127.0.0.1' }],
      dependsOn: ['api'],
    })
  })

  it('is what a world file path is routed to when it is a Compose file', () => {
    expect(isComposeFile('/x/docker-compose.yml', '')).toBe(true)
    expect(isComposeFile('/x/compose.override.yaml', '')).toBe(true)
    expect(isComposeFile('/x/stack.yaml', 'services:\n  a: {}\n')).toBe(true)
    expect(isComposeFile('/x/world.yaml', 'apiVersion: worldbench/v1\nservices: 1\n')).toBe(false)
    expect(checkWorldText(FILE, GOOD).world?.workloads).toHaveLength(2)
  })

  it('interpolates ${VAR:-default}, ${VAR-default}, ${VAR:?err}, $VAR and $$, shell over defaults', () => {
    const env = { SET: 'yes', EMPTY: '' }
    expect(interpolate('${SET:-no} ${EMPTY:-dflt} ${EMPTY-dflt} ${MISSING-x} $SET $$HOME', env).value).toBe(
      'yes dflt  x yes $HOME',
    )
    expect(interpolate('${MISSING:-${SET}}', env).value).toBe('yes')
    expect(interpolate('${SET:+alt}${MISSING:+alt}', env).value).toBe('alt')
    expect(interpolate('${MISSING:?set MISSING to the API key}', env).errors[0]).toMatch(
      /required variable MISSING is not set: set MISSING to the API key/,
    )
    expect(interpolate('$NOPE', env).unset).toEqual(['NOPE'])
    const { world } = check(GOOD.replace('shop/api:1', 'shop/api:${TAG:-2}'), { TAG: '7' })
    expect(world!.workloads[0]!.container!.image).toBe('shop/api:7')
  })

  it('reads every port form; binds to 127.0.0.1 unless the file names an address, and then warns', () => {
    expect(mapPort('127.0.0.1::8080')).toEqual({ ports: [{ host: 0, guest: 8080, bind: '127.0.0.1' }] })
    expect(mapPort('8000:80')).toEqual({ ports: [{ host: 8000, guest: 80, bind: '127.0.0.1' }] })
    expect(mapPort('8000-8001:80-81/tcp')).toEqual({
      ports: [
        { host: 8000, guest: 80, bind: '127.0.0.1' },
        { host: 8001, guest: 81, bind: '127.0.0.1' },
      ],
    })
    expect(mapPort('[::1]:9000:90')).toEqual({ ports: [{ host: 9000, guest: 90, bind: '::1' }] })
    expect(mapPort({ target: 80, published: 8081, host_ip: '0.0.0.0' })).toEqual({
      ports: [{ host: 8081, guest: 80, bind: '0.0.0.0' }],
    })
    expect(mapPort('53:53/udp')).toEqual({ error: expect.stringMatching(/TCP ports only/) })
    const { world, warnings } = check(GOOD.replace('"127.0.0.1:18080:8080"', '"0.0.0.0:18080:8080"'))
    expect(world!.workloads[0]!.ports[0]!.bind).toBe('0.0.0.0')
    expect(warnings[0]).toMatchObject({ line: 5, path: 'services.api.ports.0' })
    expect(warnings[0]!.message).toMatch(/published on 0\.0\.0\.0.*anyone who can reach this machine/)
  })

  it('reads sizes, durations and shell-style commands as Compose does', () => {
    expect(mebibytes('64m')).toBe(64)
    expect(mebibytes('1g')).toBe(1024)
    expect(mebibytes('512MB')).toBe(512)
    expect(mebibytes(1048577)).toBe(2)
    expect(mebibytes('lots')).toBeUndefined()
    expect(seconds('1m30s')).toBe(90)
    expect(seconds('500ms')).toBe(0.5)
    expect(shellWords(`sh -c 'echo "a b"' x\\ y`)).toEqual(['sh', '-c', 'echo "a b"', 'x y'])
    expect(shellWords('"unclosed')).toBeUndefined()
  })

  it('maps limits, restart, profiles, depends_on conditions and named volumes', () => {
    const { world, issues, warnings } = check(
      `name: My_Shop
services:
  db:
    image: db:1
    mem_limit: 256m
    restart: unless-stopped
    volumes: ["data:/var/lib/db", "./init:/init:ro", "/scratch"]
    healthcheck: { test: ["CMD", "db-ping"], interval: 5s, retries: 2, start_period: 60s }
  app:
    image: app:1
    deploy: { resources: { limits: { memory: 1g, cpus: "1.5" } } }
    restart: on-failure:3
    depends_on: { db: { condition: service_healthy } }
  tools:
    image: tools:1
    profiles: [tools]
volumes:
  data: {}
`,
      { COMPOSE_PROFILES: 'other' },
    )
    expect(issues).toEqual([])
    expect(world!.name).toBe('my-shop')
    expect(world!.workloads.map((w) => w.name)).toEqual(['db', 'app'])
    const [db, app] = world!.workloads
    expect(db).toMatchObject({ limits: { memoryMiB: 256 }, restart: 'always' })
    expect(db!.ready).toEqual({ command: ['db-ping'], intervalSeconds: 5, timeoutSeconds: 75 })
    expect(db!.container!.volumes).toEqual([
      { type: 'volume', source: 'data', target: '/var/lib/db', readOnly: false },
      { type: 'bind', source: '/projects/shop/init', target: '/init', readOnly: true },
      { type: 'volume', target: '/scratch', readOnly: false },
    ])
    expect(app).toMatchObject({
      limits: { memoryMiB: 1024, cpus: 1.5 },
      restart: 'on-failure',
      dependsOn: ['db'],
    })
    expect(warnings.map((w) => w.path)).toEqual(['services.tools.profiles'])
    expect(
      check(GOOD.replace('  web:\n', '  web:\n    profiles: [x]\n'), { COMPOSE_PROFILES: 'x' }).world!
        .workloads,
    ).toHaveLength(2)
  })

  it('service_completed_successfully makes the service waited on a run-once step', () => {
    const { world, issues } = check(
      `services:
  migrate:
    image: shop/migrate:1
  api:
    image: shop/api:1
    depends_on: { migrate: { condition: service_completed_successfully } }
  web:
    image: shop/web:1
    depends_on: [api]
`,
    )
    expect(issues).toEqual([])
    const [migrate, api, web] = world!.workloads
    expect(migrate!.run).toBe('once')
    expect(api).toMatchObject({ dependsOn: ['migrate'] })
    expect(api!.run).toBeUndefined()
    expect(web!.run).toBeUndefined()
  })

  it('adds the same service as Wasm and a VM with x-worldbench, so `bench` compares them', () => {
    const { world, issues } = check(`services:
  hello:
    build: ./container
    ports: ["8080"]
    x-worldbench:
      wasm: { module: ./build/hello.wasm, serve: cgi }
      vm: { kernel: ./vm/vmlinuz, initrd: ./vm/initrd.img, port: 80 }
`)
    expect(issues).toEqual([])
    expect(world!.workloads.map((w) => [w.name, w.kind])).toEqual([
      ['hello', 'container'],
      ['hello-wasm', 'wasm'],
      ['hello-vm', 'vm'],
    ])
    expect(world!.workloads[1]!.wasm).toMatchObject({
      module: '/projects/shop/build/hello.wasm',
      serve: 'cgi',
    })
    expect(world!.workloads[2]!.ports).toEqual([{ host: 0, guest: 80, bind: '127.0.0.1' }])
  })
})

/** Bad Compose files and what a person must be told: where (line:column), which key, and why. */
const BAD: {
  name: string
  text: string
  path: string
  line: number
  message: RegExp
  env?: Record<string, string>
}[] = [
  { name: 'malformed YAML', text: 'services:\n  a: [x\n', path: '', line: 3, message: /YAML/ },
  {
    name: 'a key Compose does not have (the schema)',
    text: GOOD.replace('    build: ./web', '    biuld: ./web'),
    path: 'services.web.biuld',
    line: 10,
    message: /"biuld" is not a Compose key/,
  },
  {
    name: 'a bad duration (the schema)',
    text: GOOD.replace('interval: 2s', 'interval: soon'),
    path: 'services.api.healthcheck.interval',
    line: 8,
    message: /"soon" is not a valid duration/,
  },
  {
    name: 'a depends_on condition Compose does not have',
    text: GOOD.replace('depends_on: [api]', 'depends_on: { api: { condition: service_ready } }'),
    path: 'services.web.depends_on.api.condition',
    line: 12,
    message: /service_started/,
  },
  {
    name: 'a required variable that is not set',
    text: GOOD.replace('shop/api:1', '${API_IMAGE:?set API_IMAGE}'),
    path: '',
    line: 3,
    message: /required variable API_IMAGE is not set: set API_IMAGE/,
  },
  {
    name: 'a privileged service (refused, not ignored)',
    text: GOOD.replace('    image: shop/api:1', '    image: shop/api:1\n    privileged: true'),
    path: 'services.api.privileged',
    line: 4,
    message: /never runs privileged/,
  },
  {
    name: 'a UDP port',
    text: GOOD.replace('[8080]', '["5353:53/udp"]'),
    path: 'services.web.ports.0',
    line: 11,
    message: /udp; Worldbench publishes TCP ports only/,
  },
  {
    name: 'depends_on a service that does not exist',
    text: GOOD.replace('[api]', '[apii]'),
    path: 'services.web.depends_on.0',
    line: 12,
    message: /"apii" is not a service/,
  },
  {
    name: 'service_healthy on a service without a healthcheck',
    text: GOOD.replace('depends_on: [api]', 'depends_on: { api: { condition: service_healthy } }').replace(
      / {4}healthcheck:\n.*\n.*\n/,
      '',
    ),
    path: 'services.web.depends_on.api.condition',
    line: 9,
    message: /needs a healthcheck on "api"/,
  },
  {
    name: 'an undeclared named volume',
    text: GOOD.replace('    build: ./web', '    build: ./web\n    volumes: ["cache:/cache"]'),
    path: 'services.web.volumes.0',
    line: 11,
    message: /"cache" is not declared under the top-level "volumes"/,
  },
  {
    name: 'a missing env_file',
    text: GOOD.replace('    build: ./web', '    build: ./web\n    env_file: ./web.env'),
    path: 'services.web.env_file',
    line: 11,
    message: /env_file \.\/web\.env does not exist/,
  },
  {
    name: 'a service with neither image nor build',
    text: GOOD.replace('    build: ./web\n', ''),
    path: 'services.web',
    line: 10,
    message: /needs an "image" or a "build"/,
  },
  {
    name: 'a bad memory size',
    text: GOOD.replace('    build: ./web', '    build: ./web\n    mem_limit: lots'),
    path: 'services.web.mem_limit',
    line: 11,
    message: /"lots" is not a size/,
  },
  {
    name: 'a build context outside the project (the world check, shown at the service)',
    text: GOOD.replace('build: ./web', 'build: ../elsewhere'),
    path: 'services.web',
    line: 10,
    message: /container\.build: path "\.\.\/elsewhere" escapes the world's folder/,
  },
  {
    name: 'an x-worldbench kind that does not exist',
    text: GOOD.replace('    build: ./web', '    build: ./web\n    x-worldbench: { lambda: {} }'),
    path: 'services.web.x-worldbench.lambda',
    line: 11,
    message: /use "wasm", "vm" or "ready"/,
  },
]

describe('Compose in: bad files get located errors', () => {
  for (const bad of BAD) {
    it(bad.name, () => {
      const { world, issues } = check(bad.text, bad.env)
      expect(world).toBeUndefined()
      const issue = issues.find((i) => bad.message.test(i.message))
      expect(issue, JSON.stringify(issues)).toBeDefined()
      expect(issue).toMatchObject({ file: FILE, path: bad.path, line: bad.line })
      expect(issue!.column).toBeGreaterThan(0)
    })
  }

  it('warns (and still loads) for keys it ignores, naming each with its line', () => {
    const { world, warnings } = check(
      `version: "3.9"
services:
  api:
    image: a:1
    container_name: api
    labels: { team: x }
    develop: { watch: [] }
networks:
  back: {}
`,
    )
    expect(world).toBeDefined()
    expect(warnings.map((w) => [w.path, w.line])).toEqual([
      ['version', 1],
      ['services.api.labels', 6],
      ['services.api.develop', 7],
      ['services.api.container_name', 5],
    ])
  })
})
