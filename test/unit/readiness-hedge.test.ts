import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { PortBinding } from '../../contract/api.ts'
import { pollHttp, sleep, waitReady } from '../../main/core/readiness.ts'

// A stand-in for QEMU's user-mode network before the guest is up (a fault a test cannot time on a
// real boot): it takes every connection, and leaves those made before `up()` unanswered.
function silentUntilUp() {
  let up = false
  const held: ServerResponse[] = []
  let openSockets = 0
  const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
    if (up) {
      res.end('hello', () => undefined)
      answeredWhileHeld.push(held.filter((r) => !r.socket?.destroyed).length)
    } else held.push(res)
  })
  const answeredWhileHeld: number[] = []
  server.on('connection', (s) => {
    openSockets++
    s.on('close', () => openSockets--)
  })
  return {
    server,
    answeredWhileHeld,
    held,
    open: () => openSockets,
    up: () => {
      up = true
    },
    listen: () =>
      new Promise<PortBinding>((resolve) =>
        server.listen(0, '127.0.0.1', () => {
          const port = (server.address() as AddressInfo).port
          resolve({ host: port, guest: 80, bind: '127.0.0.1', url: `http://127.0.0.1:${port}/` })
        }),
      ),
  }
}

const servers: ReturnType<typeof silentUntilUp>[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.server.closeAllConnections()
    await new Promise((r) => s.server.close(r))
  }
})

describe('HTTP readiness against a port that holds early connections', () => {
  it('answers through a later attempt while an earlier one still hangs, then closes every attempt', async () => {
    const s = silentUntilUp()
    servers.push(s)
    const port = await s.listen()
    const polled = pollHttp(port, '/', {
      intervalMs: 5,
      deadline: performance.now() + 60_000,
      timedOut: () => new Error('timed out'),
    })
    while (s.held.length === 0) await sleep(5)
    s.up()
    await polled
    // The success came while the first attempt was still open: it was not waited out.
    expect(s.answeredWhileHeld[0]).toBeGreaterThan(0)
    while (s.open() > 0) await sleep(5)
    expect(s.open()).toBe(0)
  })

  it('waitReady on http uses the same prober', async () => {
    const s = silentUntilUp()
    servers.push(s)
    const port = await s.listen()
    const ready = waitReady({ name: 'held', ports: [port], ready: { http: '/', timeoutSeconds: 60 } })
    while (s.held.length === 0) await sleep(5)
    s.up()
    await ready
    expect(s.answeredWhileHeld[0]).toBeGreaterThan(0)
  })

  it('gives up at the deadline with the caller’s error when nothing ever answers', async () => {
    const s = silentUntilUp()
    servers.push(s)
    const port = await s.listen()
    await expect(
      pollHttp(port, '/', {
        intervalMs: 5,
        deadline: performance.now() + 300,
        timedOut: () => new Error('never answered'),
      }),
    ).rejects.toThrow('never answered')
    while (s.open() > 0) await sleep(5)
  })
})
