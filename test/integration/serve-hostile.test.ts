import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { connectControlSocket } from '../../main/transport/control-socket.ts'
import {
  closeCodeOf,
  rawExchange,
  rawGet,
  rawWebSocket,
  type ServeProcess,
  startServe,
  stillAnswers,
} from './serve-process.ts'

/** Sends one message on a fresh WebSocket; resolves with the first answer or the close code. */
function wsOnce(serve: ServeProcess, payload: string | Buffer, binary = false) {
  return new Promise<{ answer?: { id: number; ok: boolean; error?: { code: string } }; close?: number }>(
    (resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${serve.port}/api`, { headers: { cookie: serve.cookie } })
      ws.on('open', () => ws.send(payload, { binary }))
      ws.on('message', (data) => {
        const msg = JSON.parse(data.toString())
        if ('id' in msg) {
          resolve({ answer: msg })
          ws.close()
        }
      })
      ws.on('close', (code) => resolve({ close: code }))
      ws.on('error', () => {})
    },
  )
}

/** One line on the control socket; resolves with the answer and whether the service closed on us. */
function controlOnce(serve: ServeProcess, line: string | Buffer) {
  return new Promise<{ answer?: { error?: { code: string } }; closed: boolean }>((resolve) => {
    let text = ''
    const s = connect(serve.controlSocket, () => s.write(line))
    s.setEncoding('utf8')
    s.on('data', (c) => {
      text += c
      const first = text.split('\n').find((l) => l.startsWith('{"id"'))
      if (first) {
        s.once('close', () => resolve({ answer: JSON.parse(first), closed: true }))
        setTimeout(() => {
          s.destroy()
          resolve({ answer: JSON.parse(first), closed: false })
        }, 2000)
      }
    })
    s.on('error', () => {})
  })
}

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`

describe('a real `worldbench serve` answers malformed requests and stays up', () => {
  let serve: ServeProcess

  beforeAll(async () => {
    serve = await startServe()
  })
  afterAll(async () => {
    await serve.stop()
  })

  it('GET //[ is a path, not a host: 401 without the token, 200 with it, service alive', async () => {
    expect(await rawGet(serve, '//[')).toBe(401)
    expect([200, 503]).toContain(await rawGet(serve, '//[', [`Cookie: ${serve.cookie}`]))
    expect(await stillAnswers(serve)).toBe(true)
  })

  it.each([
    ['/%', 400],
    ['/%c0%ae', 400],
    ['/%c0%ae%c0%ae/%c0%ae%c0%ae/package.json', 400],
    ['/%00', 400],
    ['/%ff', 400],
    ['http://evil.example/', 400],
    ['*', 400],
  ])('GET %s with the cookie: %i, service alive', async (target, status) => {
    expect(await rawGet(serve, target, [`Cookie: ${serve.cookie}`])).toBe(status)
    expect(await stillAnswers(serve)).toBe(true)
  })

  it('a redirect after the token never leads to another host', async () => {
    const res = (
      await rawExchange(
        serve.port,
        `GET //evil.example/?token=${serve.token} HTTP/1.1\r\nHost: 127.0.0.1:${serve.port}\r\nConnection: close\r\n\r\n`,
      )
    ).toString('latin1')
    expect(res).toMatch(/^HTTP\/1\.1 303/)
    expect(res).toMatch(/\r\nlocation: \/evil\.example\/\r\n/i)
  })

  it('a cookie named for this port: another server on another port keeps its own', () => {
    expect(serve.cookie).toMatch(new RegExp(`^worldbench_token_${serve.port}=`))
  })

  it('a WebSocket message over 1 MiB is refused with close code 1009, service alive', async () => {
    expect((await wsOnce(serve, 'x'.repeat((1 << 20) + 1))).close).toBe(1009)
    expect(await stillAnswers(serve)).toBe(true)
  })

  it('invalid UTF-8 in a text frame: close 1007, service alive', async () => {
    expect((await wsOnce(serve, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))).close).toBe(1007)
    expect(await stillAnswers(serve)).toBe(true)
  })

  it('a bad frame (unmasked, reserved opcode): close 1002, service alive', async () => {
    for (const frame of [Buffer.from([0x81, 0x02, 0x7b, 0x7d]), Buffer.from([0x83, 0x80, 1, 2, 3, 4])]) {
      const socket = await rawWebSocket(serve)
      const frames = await new Promise<Buffer>((resolve) => {
        const chunks: Buffer[] = []
        socket.on('data', (c) => chunks.push(c))
        socket.on('close', () => resolve(Buffer.concat(chunks)))
        socket.on('error', () => {})
        socket.write(frame)
      })
      expect(closeCodeOf(frames)).toBe(1002)
    }
    expect(await stillAnswers(serve)).toBe(true)
  })

  it('3,000 nested arrays in setSetting: MESSAGE_TOO_DEEP, nothing stored, service alive', async () => {
    const msg = `{"id":7,"method":"setSetting","params":{"key":"deep","value":${nested(3000)}}}`
    const res = await wsOnce(serve, msg)
    expect(res.answer?.error?.code).toBe('MESSAGE_TOO_DEEP')
    // Nesting inside strings is not nesting: this one is stored.
    const ok = await wsOnce(
      serve,
      JSON.stringify({ id: 8, method: 'setSetting', params: { key: 'shallow', value: nested(3000) } }),
    )
    expect(ok.answer?.ok).toBe(true)
    expect(await stillAnswers(serve)).toBe(true)
  })

  it('control socket: bad JSON and deep JSON answered, an endless line answered then closed', async () => {
    expect((await controlOnce(serve, 'not json\n')).answer?.error?.code).toBe('BAD_MESSAGE')
    expect((await controlOnce(serve, `${nested(3000)}\n`)).answer?.error?.code).toBe('MESSAGE_TOO_DEEP')
    const long = await controlOnce(serve, Buffer.alloc(2 << 20, 0x61))
    expect(long.answer?.error?.code).toBe('MESSAGE_TOO_LARGE')
    expect(long.closed).toBe(true)
    expect(await stillAnswers(serve)).toBe(true)
  })

  it('setSetting vm.qemuBinary=a script is refused over the WebSocket and the control socket; doctor runs no script', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-evil-'))
    const marker = join(dir, 'ran')
    const script = join(dir, 'x.sh')
    writeFileSync(script, `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 })
    try {
      for (const key of ['vm.qemuBinary', 'container.socket']) {
        const res = await wsOnce(
          serve,
          JSON.stringify({ id: 9, method: 'setSetting', params: { key, value: script } }),
        )
        expect(res.answer?.error?.code).toBe('SETTING_DESKTOP_ONLY')
      }
      const control = (await connectControlSocket(serve.controlSocket))!
      try {
        await expect(
          control.client.setSetting({ key: 'vm.qemuBinary', value: script }),
        ).rejects.toMatchObject({
          code: 'SETTING_DESKTOP_ONLY',
          hint: expect.stringContaining('desktop app'),
        })
        await expect(control.client.pickEngineBinary({ key: 'vm.qemuBinary' })).rejects.toMatchObject({
          code: 'DESKTOP_ONLY',
        })
        expect((await control.client.getSettings())['vm.qemuBinary']).toBeUndefined()
        // Clearing (back to discovery) is harmless and allowed.
        expect((await control.client.setSetting({ key: 'vm.qemuBinary', value: '' }))['vm.qemuBinary']).toBe(
          '',
        )
        const report = await control.client.doctor()
        expect(report.engines.find((e) => e.kind === 'vm')?.details).toBeDefined()
      } finally {
        control.close()
      }
      expect(existsSync(marker)).toBe(false)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('a flood of 2,000 requests on one WebSocket: every one answered, service alive', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${serve.port}/api`, { headers: { cookie: serve.cookie } })
    await new Promise((r) => ws.once('open', r))
    const answered = new Set<number>()
    const codes = new Set<string>()
    await new Promise<void>((resolve) => {
      ws.on('message', (data) => {
        const msg = JSON.parse(data.toString())
        if (!('id' in msg)) return
        answered.add(msg.id)
        if (!msg.ok) codes.add(msg.error.code)
        if (answered.size === 2000) resolve()
      })
      for (let id = 1; id <= 2000; id++) ws.send(JSON.stringify({ id, method: 'listWorlds' }))
    })
    ws.close()
    expect(answered.size).toBe(2000)
    expect([...codes].filter((c) => c !== 'TOO_MANY_REQUESTS')).toEqual([])
    expect(await stillAnswers(serve)).toBe(true)
  })
})
