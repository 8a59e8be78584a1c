import { describe, expect, it } from 'vitest'
import { checkComposeText } from '../../main/core/compose/load.ts'
import { networksOf } from '../../main/core/world/kinds/container.ts'

const FILE = '/projects/shop/compose.yaml'
const check = (text: string) => checkComposeText(FILE, text, {})

/** A proxy on a front and a back network, the database on back only, a web page on front only. */
const SPLIT = `services:
  proxy:
    image: shop/proxy:1
    networks:
      front:
      back:
        aliases: [gateway, api.internal]
  db:
    image: shop/db:1
    networks: [back]
  web:
    image: shop/web:1
    networks: [front]
  tool:
    image: shop/tool:1
networks:
  front: {}
  back:
    driver: bridge
`

describe('Compose in: networks', () => {
  it('keeps each service on the networks it names (aliases included), and one naming none on default', () => {
    const { world, issues, warnings } = check(SPLIT)
    expect(issues).toEqual([])
    expect(warnings).toEqual([])
    const nets = Object.fromEntries(world!.workloads.map((w) => [w.name, networksOf(w.container)]))
    expect(nets).toEqual({
      proxy: [
        { name: 'front', aliases: [], internal: false },
        { name: 'back', aliases: ['gateway', 'api.internal'], internal: false },
      ],
      db: [{ name: 'back', aliases: [], internal: false }],
      web: [{ name: 'front', aliases: [], internal: false }],
      tool: [{ name: 'default', aliases: [], internal: false }],
    })
  })

  it('keeps an internal network internal: the world says so, and each service on it knows', () => {
    const { world, issues } = check(SPLIT.replace('    driver: bridge', '    internal: true'))
    expect(issues).toEqual([])
    expect(world!.networks).toEqual({ back: { internal: true } })
    const db = world!.workloads.find((w) => w.name === 'db')!
    expect(networksOf(db.container, world!.networks)).toEqual([{ name: 'back', aliases: [], internal: true }])
    const proxy = world!.workloads.find((w) => w.name === 'proxy')!
    expect(networksOf(proxy.container, world!.networks).map((n) => [n.name, n.internal])).toEqual([
      ['front', false],
      ['back', true],
    ])
  })

  it('leaves out an internal network no service joins, as Compose does not mind one', () => {
    const { world, issues } = check(SPLIT.replace('  front: {}', '  front: {}\n  spare:\n    internal: true'))
    expect(issues).toEqual([])
    expect(world!.networks).toBeUndefined()
  })

  it('turns a Compose network name into a world network name', () => {
    const { world, issues } = check(
      'services:\n  a:\n    image: a:1\n    networks: [Back_End]\nnetworks:\n  Back_End: {}\n',
    )
    expect(issues).toEqual([])
    expect(networksOf(world!.workloads[0]!.container)).toEqual([
      { name: 'back-end', aliases: [], internal: false },
    ])
  })

  const BAD: { name: string; text: string; path: string; line: number; message: RegExp }[] = [
    {
      name: 'an external network',
      text: SPLIT.replace('  front: {}', '  front:\n    external: true'),
      path: 'networks.front.external',
      line: 18,
      message: /external network is not supported.*remove "external"/,
    },
    {
      name: 'a service with ports on internal networks only',
      text: SPLIT.replace('    driver: bridge', '    internal: true').replace(
        '    networks: [back]',
        '    networks: [back]\n    ports: ["5432:5432"]',
      ),
      path: 'services.db',
      line: 9,
      message: /"db" is on internal networks only \(back\), where the engine publishes no port/,
    },
    {
      name: 'a driver other than bridge',
      text: SPLIT.replace('driver: bridge', 'driver: macvlan'),
      path: 'networks.back.driver',
      line: 19,
      message: /driver "macvlan" is not supported/,
    },
    {
      name: 'a network no one declared',
      text: SPLIT.replace('networks: [back]', 'networks: [backend]'),
      path: 'services.db.networks.0',
      line: 10,
      message: /network "backend" is not declared under the top-level "networks"/,
    },
    {
      name: 'two networks that become one name',
      text: SPLIT.replace('  front: {}', '  front: {}\n  Front: {}'),
      path: 'networks.Front',
      line: 18,
      message: /"Front" and "front" both become network "front"/,
    },
  ]
  for (const bad of BAD)
    it(`refuses ${bad.name}, at its file:line:column`, () => {
      const { world, issues } = check(bad.text)
      expect(world).toBeUndefined()
      const issue = issues.find((i) => bad.message.test(i.message))
      expect(issue, JSON.stringify(issues)).toBeDefined()
      expect(issue).toMatchObject({ file: FILE, path: bad.path, line: bad.line })
      expect(issue!.column).toBeGreaterThan(0)
    })

  it('warns, at file:line, about settings that only pin addresses or names, and still loads', () => {
    const { world, warnings } = check(
      SPLIT.replace('        aliases: [gateway, api.internal]', '        ipv4_address: 172.30.0.5').replace(
        '    driver: bridge',
        '    name: shop-back\n    ipam:\n      config: [{ subnet: 172.30.0.0/24 }]',
      ),
    )
    expect(world).toBeDefined()
    expect(warnings.map((w) => [w.path, w.line, w.message])).toEqual([
      ['networks.back.ipam', 21, expect.stringMatching(/"ipam" is ignored/)],
      ['networks.back.name', 19, expect.stringMatching(/named <world>_back/)],
      ['services.proxy.networks.back.ipv4_address', 7, expect.stringMatching(/reach each other by name/)],
    ])
  })
})
