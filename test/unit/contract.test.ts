import { describe, expect, it } from 'vitest'
import { type Handlers, ipcChannel, type MethodName, methodNames, methods } from '../../contract/api.ts'
import { createRpcClient, RemoteError } from '../../contract/rpc-client.ts'
import { toErrorShape, WorldbenchError } from '../../main/core/errors.ts'
import { ipcHandlers, isTrustedSenderUrl } from '../../main/electron/ipc-handlers.ts'
import { dispatch } from '../../main/transport/dispatch.ts'
import { buildBridge } from '../../preload/bridge.ts'

/** For every method: inputs that must pass and inputs that must be refused. */
const CASES: Record<MethodName, { good: unknown[]; bad: unknown[] }> = {
  doctor: { good: [undefined, {}], bad: [{ extra: 1 }, 'x'] },
  kinds: { good: [undefined, {}], bad: [{ kind: 'vm' }] },
  getSettings: { good: [undefined, {}], bad: [{ key: 'a' }] },
  setSetting: {
    good: [
      { key: 'container.socket', value: '/run/x.sock' },
      { key: 'theme', value: { dark: true } },
    ],
    bad: [{ key: '1bad', value: 1 }, { key: 'a' }, {}, { key: 'a', value: 1, more: 2 }],
  },
  pickEngineBinary: {
    good: [{ key: 'vm.qemuBinary' }],
    bad: [{}, { key: 'theme' }, { key: 'vm.qemuBinary', path: '/x' }],
  },
  listWorlds: { good: [undefined, {}], bad: [[]] },
  validateWorld: { good: [{ file: '/tmp/world.yaml' }], bad: [{}, { file: '' }, { file: 3 }] },
  addWorld: { good: [{ file: './world.yaml' }], bad: [{}, { file: '' }, { path: 'x' }] },
  checkWorldText: { good: [{ name: 'w.yaml', text: '' }], bad: [{ name: '', text: 'x' }, { text: 'x' }] },
  uploadWorld: {
    good: [{ name: 'w.yaml', text: 'a: 1' }],
    bad: [{ name: 'w.yaml', text: 'x'.repeat(300_000) }],
  },
  worldUp: { good: [{ world: 'hello-trio' }], bad: [{}, { world: '' }, { world: 'x', force: true }] },
  trustWorld: {
    good: [{ world: './w.yaml', sha256: 'a'.repeat(64) }],
    bad: [{ world: './w.yaml' }, { world: './w.yaml', sha256: 'A'.repeat(64) }, { sha256: 'a'.repeat(64) }],
  },
  worldDown: { good: [{ world: 'hello-trio' }], bad: [{ world: 7 }] },
  listInstances: {
    good: [undefined, {}, { includeExternal: true }, { includeStopped: true }],
    bad: [{ includeExternal: 'yes' }, { includeStopped: 1 }],
  },
  stopInstance: { good: [{ id: 'w.a.123456' }], bad: [{}, { id: '' }, { id: 'x'.repeat(201) }] },
  restartInstance: { good: [{ id: 'w.a.123456' }], bad: [{ id: null }] },
  startInstance: { good: [{ id: 'w.a.123456' }], bad: [{}, { id: '' }] },
  removeInstance: { good: [{ id: 'w.a.123456' }], bad: [{ id: 5 }] },
  activity: { good: [undefined, {}], bad: [{ world: 'x' }] },
  listArtifacts: { good: [undefined, {}], bad: [{ all: true }] },
  removeImage: {
    good: [{ id: `sha256:${'a'.repeat(64)}` }],
    bad: [{ id: 'nginx' }, { id: `sha256:${'a'.repeat(63)}` }, {}],
  },
  pruneImages: { good: [undefined], bad: [{ all: true }] },
  clearWasmCache: { good: [undefined, {}], bad: [{ hash: 'x' }] },
  terminalOpen: {
    good: [{ id: 'w.a.1', cols: 80, rows: 24 }],
    bad: [{ id: 'w.a.1' }, { id: 'w.a.1', cols: 0, rows: 24 }, { id: 'w.a.1', cols: 80.5, rows: 24 }],
  },
  terminalInput: {
    good: [{ session: 's', data: 'ls\r' }],
    bad: [
      { session: '', data: 'x' },
      { session: 's', data: 'x'.repeat(70_000) },
    ],
  },
  terminalResize: { good: [{ session: 's', cols: 120, rows: 40 }], bad: [{ session: 's', cols: 120 }] },
  terminalClose: { good: [{ session: 's' }], bad: [{}] },
  instanceLogs: {
    good: [{ id: 'a' }, { id: 'a', tail: 10 }],
    bad: [
      { id: 'a', tail: 0 },
      { id: 'a', tail: 1.5 },
    ],
  },
  followLogs: {
    good: [{ id: 'a' }, { id: 'a', tail: 10 }],
    bad: [{}, { id: 'a', tail: 0 }, { id: 'a', follow: true }],
  },
  benchRun: {
    good: [{ world: 'hello-trio' }, { world: 'x', kinds: ['wasm', 'vm'], repeats: 3, loadSeconds: 0 }],
    bad: [
      { world: 'x', kinds: [] },
      { world: 'x', kinds: ['docker'] },
      { world: 'x', repeats: 0 },
      { world: 'x', connections: 100000 },
    ],
  },
  benchList: { good: [undefined, {}], bad: [{ limit: 3 }] },
  benchGet: { good: [{ id: 'abc' }], bad: [{}, { id: '' }] },
  instanceDetails: { good: [{ id: 'w.a.1' }], bad: [{}, { id: 3 }] },
  inspectWasm: { good: [{ file: 'x.wasm' }], bad: [{ file: '' }, { path: 'x.wasm' }] },
  instanceSamples: { good: [{ id: 'a' }, { id: 'a', sinceMs: 5 }], bad: [{ id: 'a', sinceMs: -1 }] },
}

/** Handlers that echo their validated input, so dispatch can be tested without an engine. */
const echo = Object.fromEntries(
  methodNames.map((m) => [m, async (p: unknown) => ({ method: m, params: p })]),
) as unknown as Handlers

describe('the contract', () => {
  it('has a table of cases for every method, so a new method cannot go untested', () => {
    expect(Object.keys(CASES).sort()).toEqual([...methodNames].sort())
  })

  for (const name of methodNames) {
    it(`${name}: accepts good input and refuses bad input with the error shape`, async () => {
      for (const good of CASES[name].good) {
        expect(methods[name].input.safeParse(good).success, JSON.stringify(good)).toBe(true)
        const res = await dispatch(echo, name, good)
        expect(res.ok).toBe(true)
      }
      for (const bad of CASES[name].bad) {
        const res = await dispatch(echo, name, bad)
        expect(res.ok, JSON.stringify(bad)).toBe(false)
        if (!res.ok) {
          expect(res.error.code).toBe('INVALID_INPUT')
          expect(res.error.message).toContain(name)
          expect(res.error.hint).toBeTruthy()
        }
      }
    })
  }

  it('refuses an unknown method, naming the known ones', async () => {
    const res = await dispatch(echo, 'rm -rf', {})
    expect(res).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } })
    if (!res.ok) expect(res.error.hint).toContain('doctor')
    expect((await dispatch(echo, 'toString', {})).ok).toBe(false)
    expect((await dispatch(echo, 42, {})).ok).toBe(false)
  })

  it('turns a thrown WorldbenchError into the error shape and anything else into INTERNAL', async () => {
    const failing = {
      ...echo,
      doctor: async () => {
        throw new WorldbenchError('ENGINE_DOWN', 'Docker is down.', 'Start it.')
      },
    } as Handlers
    expect(await dispatch(failing, 'doctor', {})).toEqual({
      ok: false,
      error: { code: 'ENGINE_DOWN', message: 'Docker is down.', hint: 'Start it.' },
    })
    expect(toErrorShape(new TypeError('boom'))).toMatchObject({ code: 'INTERNAL', message: 'boom' })
    expect(toErrorShape('plain')).toMatchObject({ code: 'INTERNAL', message: 'plain' })
  })
})

describe('the generated transports agree with the list', () => {
  it('the rpc client (WebSocket and control socket) has exactly one function per method, plus on', async () => {
    const sent: { id: number; method: string }[] = []
    let receive: (m: unknown) => void = () => {}
    const client = createRpcClient({
      send: (m) => sent.push(m),
      onMessage: (r) => {
        receive = r as (m: unknown) => void
      },
      onClose: () => {},
    })
    for (const m of methodNames) expect(typeof client[m]).toBe('function')
    const call = client.stopInstance({ id: 'x' })
    expect(sent[0]).toMatchObject({ method: 'stopInstance', params: { id: 'x' } })
    receive({ id: sent[0]!.id, ok: false, error: { code: 'NO_SUCH_INSTANCE', message: 'no', hint: 'ps' } })
    await expect(call).rejects.toBeInstanceOf(RemoteError)
    await expect(call).rejects.toMatchObject({ code: 'NO_SUCH_INSTANCE', hint: 'ps' })
  })

  it('the preload bridge has exactly the methods of the list, each on its own channel', async () => {
    const channels: string[] = []
    const bridge = buildBridge({
      invoke: async (c) => {
        channels.push(c)
      },
      onEvent: () => () => {},
    })
    expect(
      Object.keys(bridge)
        .filter((k) => k !== 'on')
        .sort(),
    ).toEqual([...methodNames].sort())
    for (const m of methodNames) await (bridge[m] as (p?: unknown) => Promise<unknown>)({})
    expect(channels).toEqual(methodNames.map(ipcChannel))
  })

  it('the IPC handlers cover every channel and refuse untrusted senders', async () => {
    const table = ipcHandlers(echo, (url) => isTrustedSenderUrl('app://worldbench', url))
    expect([...table.keys()].sort()).toEqual(methodNames.map(ipcChannel).sort())
    const doctor = table.get(ipcChannel('doctor'))!
    expect(await doctor('app://worldbench/index.html', {})).toMatchObject({ ok: true })
    expect(await doctor('https://evil.example/', {})).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    expect(await doctor('app://worldbench.evil.example/', {})).toMatchObject({ ok: false })
    expect(await doctor(undefined, {})).toMatchObject({ ok: false })
  })
})
