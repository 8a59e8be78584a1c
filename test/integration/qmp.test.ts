import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { WorldbenchError } from '../../main/core/errors.ts'
import { sleep } from '../../main/core/readiness.ts'
import { findQemuBinary } from '../../main/runtimes/vm/qemu-discovery.ts'
import { type QmpClient as Client, QmpClient, type QmpEvent } from '../../main/runtimes/vm/qmp.ts'
import { requireEngine } from './engines.ts'

// The QMP client against a real QEMU with no machine (-M none): starts in ~50 ms.
let qemu: ChildProcess
let dir: string
let socket: string
let client: Client | undefined

async function connectWhenListening(path: string): Promise<Client> {
  for (let i = 0; i < 100; i++) {
    if (existsSync(path)) return QmpClient.connect(path)
    await sleep(20)
  }
  throw new Error(`QEMU never created ${path}`)
}

beforeEach(async () => {
  const binary = findQemuBinary()
  requireEngine('QEMU', binary !== undefined, 'apt-get install qemu-system-x86')
  dir = mkdtempSync(join(tmpdir(), 'wb-qmp-'))
  socket = join(dir, 'qmp.sock')
  qemu = spawn(
    binary!,
    ['-M', 'none', '-nodefaults', '-display', 'none', '-qmp', `unix:${socket},server=on,wait=off`],
    { stdio: 'ignore' },
  )
  client = await connectWhenListening(socket)
})

afterEach(async () => {
  client?.close()
  if (qemu.exitCode === null && qemu.signalCode === null) {
    qemu.kill('SIGKILL')
    await new Promise((r) => qemu.once('exit', r))
  }
  rmSync(dir, { recursive: true, force: true })
})

describe('QmpClient', () => {
  it('reads the greeting and runs commands after the capabilities handshake', async () => {
    expect(client!.greeting.version.qemu.major).toBeGreaterThanOrEqual(5)
    const status = await client!.execute<{ status: string; running: boolean }>('query-status')
    expect(typeof status.status).toBe('string')
    const version = await client!.execute<{ qemu: { major: number } }>('query-version')
    expect(version.qemu.major).toBe(client!.greeting.version.qemu.major)
  })

  it('answers concurrent commands by id', async () => {
    const [a, b, c] = await Promise.all([
      client!.execute<{ qemu: unknown }>('query-version'),
      client!.execute<{ name?: string }>('query-name'),
      client!.execute<{ status: string }>('query-status'),
    ])
    expect(a).toHaveProperty('qemu')
    expect(b).toBeTypeOf('object')
    expect(c).toHaveProperty('status')
  })

  it('turns a QMP error reply into a WorldbenchError naming the command', async () => {
    const err = await client!.execute('no-such-command').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(WorldbenchError)
    expect((err as WorldbenchError).code).toBe('QMP_ERROR')
    expect((err as WorldbenchError).message).toContain('no-such-command')
    expect((err as WorldbenchError).details?.class).toBe('CommandNotFound')
  })

  it('emits STOP, RESUME and RESET events, by name and as "event"', async () => {
    const all: string[] = []
    client!.on('event', (e: QmpEvent) => all.push(e.event))
    const stopped = client!.waitForEvent('STOP', 5000)
    await client!.execute('stop')
    const ev = await stopped
    expect(ev.timestamp.seconds).toBeGreaterThan(0)
    const resumed = client!.waitForEvent('RESUME', 5000)
    await client!.execute('cont')
    await resumed
    const reset = client!.waitForEvent('RESET', 5000)
    await client!.execute('system_reset')
    expect((await reset).data).toMatchObject({ guest: false })
    expect(all).toEqual(expect.arrayContaining(['STOP', 'RESUME', 'RESET']))
  })

  it('sees SHUTDOWN on quit, then closes and rejects later commands', async () => {
    const shutdown = client!.waitForEvent('SHUTDOWN', 5000)
    const closed = new Promise<void>((r) => client!.once('close', () => r()))
    await client!.execute('quit')
    const ev = await shutdown
    expect(ev.data).toMatchObject({ guest: false })
    await closed
    expect(client!.isClosed).toBe(true)
    const err = await client!.execute('query-status').catch((e: unknown) => e)
    expect((err as WorldbenchError).code).toBe('QMP_CLOSED')
  })

  it('fails clearly when nothing listens on the socket', async () => {
    const err = await QmpClient.connect(join(dir, 'nothing.sock'), { timeoutMs: 1000 }).catch(
      (e: unknown) => e,
    )
    expect((err as WorldbenchError).code).toBe('QMP_CONNECT')
    expect((err as WorldbenchError).message).toContain('nothing.sock')
  })
})
