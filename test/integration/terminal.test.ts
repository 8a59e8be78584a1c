import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService } from '../../main/create-service.ts'
import type { WorldbenchService } from '../../main/service.ts'
import { trustTestWorld } from './helpers.ts'

const docker = (args: string[]) => promisify(execFile)('docker', args)
const world = join(process.cwd(), 'test/fixtures/worlds/dash/world.yaml')
const commandWorld = join(process.cwd(), 'test/fixtures/worlds/wasm-command/world.yaml')

async function until(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe('a terminal into a real container', () => {
  let service: WorldbenchService

  beforeAll(() => {
    service = createService()
  })
  afterAll(async () => {
    await service.close({ stopAll: true })
  })

  it('runs a shell with a TTY: typed commands run in the container, resize reaches it, close leaves no shell behind', async () => {
    await trustTestWorld(service, world)
    const up = await service.handlers.worldUp({ world })
    expect(up.failed).toEqual([])
    const container = up.instances.find((i) => i.kind === 'container')!
    const wasm = up.instances.find((i) => i.kind === 'wasm')!
    const output = new Map<string, string>()
    service.bus.on('terminalOutput', (e) => {
      output.set(e.session, (output.get(e.session) ?? '') + e.data)
      // Answer busybox's cursor-position query the way xterm.js does, as a real terminal must.
      if (e.data.includes('\u001b[6n'))
        void service.handlers.terminalInput({ session: e.session, data: '\u001b[1;3R' })
    })

    const { session, title } = await service.handlers.terminalOpen({ id: container.id, cols: 80, rows: 24 })
    expect(title).toContain('sh')
    await service.handlers.terminalResize({ session, cols: 100, rows: 30 })
    // Arithmetic the shell must do, so the echo of the typed line cannot pass for its result.
    // Busybox's line editor drops keys that arrive while it waits for the answer to its cursor
    // query (a person never types that fast), so the line is typed again until it ran.
    for (let n = 0; n < 6 && !(output.get(session) ?? '').includes('wb-42'); n++) {
      await service.handlers.terminalInput({ session, data: 'echo wb-$((6*7)); ls /www; stty size\r' })
      await until(() => (output.get(session) ?? '').includes('wb-42'), 'the command output', 5000).catch(
        () => undefined,
      )
    }
    expect(output.get(session)).toContain('wb-42')
    expect(output.get(session)).toContain('cgi-bin')
    await until(
      () => (output.get(session) ?? '').includes('30 100'),
      `the size after resize in ${JSON.stringify(output.get(session))}`,
    )

    // Closing ends the shell in the container: nothing is left running there.
    const cid = service.supervisor.get(container.id).instance.handle.containerId!
    const shells = async () => {
      const { stdout } = await docker(['exec', cid, '/bin/busybox', 'ps', '-o', 'pid,args'])
      return stdout.split('\n').filter((l) => /busybox sh$/.test(l.trim())).length
    }
    expect(await shells()).toBe(1)
    await service.handlers.terminalClose({ session })
    await expect(service.handlers.terminalInput({ session, data: 'x' })).rejects.toMatchObject({
      code: 'NO_SUCH_TERMINAL',
    })
    const end = Date.now() + 30_000
    while ((await shells()) > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 200))
    expect(await shells()).toBe(0)

    // A Wasm workload that serves HTTP has no stdin to type into.
    await expect(service.handlers.terminalOpen({ id: wasm.id, cols: 80, rows: 24 })).rejects.toMatchObject({
      code: 'WASM_NO_STDIN',
    })
    await service.handlers.worldDown({ world: 'e2e-dash' })
  })
})

describe('a terminal into a real Wasm command', () => {
  let service: WorldbenchService

  beforeAll(() => {
    service = createService()
  })
  afterAll(async () => {
    await service.close({ stopAll: true })
  })

  it('runs the module afresh with the session as its stdin and stdout, with only its declared grants, also after its own run ended', async () => {
    await trustTestWorld(service, commandWorld)
    const stopped = new Set<string>()
    service.bus.on('instance', (i) => i.state === 'stopped' && stopped.add(i.id))
    const up = await service.handlers.worldUp({ world: commandWorld })
    expect(up.failed).toEqual([])
    const echo = up.instances[0]!
    // Its own run read an empty stdin and ended; its instance stays listed, stopped.
    await until(() => stopped.has(echo.id), 'the instance to stop', 60_000)

    const output = new Map<string, string>()
    const exits = new Map<string, string | undefined>()
    service.bus.on('terminalOutput', (e) => output.set(e.session, (output.get(e.session) ?? '') + e.data))
    service.bus.on('terminalExit', (e) => exits.set(e.session, e.reason))
    const { session, title } = await service.handlers.terminalOpen({ id: echo.id, cols: 80, rows: 24 })
    expect(title).toContain('fresh run')
    const out = () => output.get(session) ?? ''
    await until(() => out().includes('echo> '), `the prompt in ${JSON.stringify(out())}`)
    expect(out()).toContain('no directories; env none; no port')
    await service.handlers.terminalInput({ session, data: 'hello wasm\r' })
    await until(() => out().includes('heard: HELLO WASM'), 'the answer')
    // Typed keys are echoed (the guest reads a pipe, not a TTY) and lines end in \r\n.
    expect(out()).toContain('hello wasm\r\n')
    expect(out()).toContain('heard: HELLO WASM\r\n')
    // Ctrl-D on an empty line ends its stdin: the guest finishes and the session ends with it.
    await service.handlers.terminalInput({ session, data: '\u0004' })
    await until(() => exits.has(session), 'the session to end')
    expect(exits.get(session)).toBe('exited with code 0')
    expect(out()).toContain('bye after 1 lines')
    await expect(service.handlers.terminalInput({ session, data: 'x' })).rejects.toMatchObject({
      code: 'NO_SUCH_TERMINAL',
    })
    await service.handlers.worldDown({ world: 'wasm-command' })
  })
})
