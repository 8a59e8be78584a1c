import { statSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { DoctorReport } from '../../contract/api.ts'
import { stateDir } from '../../main/core/paths.ts'
import { createService } from '../../main/create-service.ts'
import { startWebServer, type WebServer } from '../../main/server.ts'
import type { WorldbenchService } from '../../main/service.ts'
import { connectControlSocket, listenControlSocket } from '../../main/transport/control-socket.ts'

function get(web: WebServer, path: string, headers: Record<string, string> = {}) {
  const { port } = new URL(web.origin)
  return new Promise<{
    status: number
    headers: Record<string, string | string[] | undefined>
    body: string
  }>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}`, ...headers }, agent: false },
      (res) => {
        let body = ''
        res.on('data', (c) => (body += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

/** Opens a WebSocket and reports either the open socket or the HTTP status that refused it. */
function openWs(web: WebServer, query: string, headers: Record<string, string>) {
  return new Promise<{ ws?: WebSocket; status?: number }>((resolve) => {
    const ws = new WebSocket(`${web.origin.replace('http', 'ws')}/api${query}`, { headers })
    ws.once('open', () => resolve({ ws }))
    ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode }))
    ws.once('error', () => resolve({}))
  })
}

function call(ws: WebSocket, method: string, params?: unknown) {
  return new Promise<{ ok: boolean; result?: unknown; error?: { code: string } }>((resolve) => {
    const id = Math.floor(Math.random() * 1e9)
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString())
      if (msg.id === id) resolve(msg)
    })
    ws.send(JSON.stringify({ id, method, params }))
  })
}

describe('web mode (worldbench serve)', () => {
  let service: WorldbenchService
  let web: WebServer

  beforeAll(async () => {
    service = createService()
    web = await startWebServer({ handlers: service.handlers, bus: service.bus, port: 0 })
  })
  afterAll(async () => {
    await web.close()
    await service.close({ stopAll: true })
  })

  it('binds 127.0.0.1 and prints a URL with a token', () => {
    expect(web.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(web.url).toBe(`${web.origin}/?token=${web.token}`)
    expect(web.token.length).toBeGreaterThanOrEqual(32)
  })

  it('refuses requests without the token, with a wrong token, a foreign Origin or a foreign Host', async () => {
    expect((await get(web, '/')).status).toBe(401)
    expect((await get(web, '/?token=wrong')).status).toBe(401)
    expect((await get(web, `/?token=${web.token}`, { origin: 'http://evil.example' })).status).toBe(403)
    expect((await get(web, `/?token=${web.token}`, { host: 'evil.example' })).status).toBe(403)
    expect((await get(web, `/?token=${web.token}`, { host: 'rebind.attacker.example:80' })).status).toBe(403)
  })

  it('trades the token for a same-site cookie, then serves the app with a strict CSP', async () => {
    const first = await get(web, `/?token=${web.token}`)
    expect(first.status).toBe(303)
    const cookie = String(first.headers['set-cookie']).split(';')[0]!
    expect(String(first.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/)
    const page = await get(web, '/', { cookie })
    expect(page.status).toBe(200)
    expect(page.body).toContain('<div id="root">')
    expect(page.headers['content-security-policy']).toContain("script-src 'self'")
    expect((await get(web, '/../../package.json', { cookie })).body).not.toContain('"name": "worldbench"')
  })

  it('refuses WebSockets without the token or from a foreign Origin, and answers calls with it', async () => {
    expect((await openWs(web, '', { origin: web.origin })).status).toBe(401)
    expect((await openWs(web, `?token=${web.token}`, { origin: 'http://evil.example' })).status).toBe(403)
    const { ws } = await openWs(web, `?token=${web.token}`, { origin: web.origin })
    expect(ws).toBeDefined()
    const res = await call(ws!, 'doctor', {})
    expect(res.ok).toBe(true)
    const report = res.result as DoctorReport
    expect(report.engines.map((e) => e.kind).sort()).toEqual(['container', 'vm', 'wasm'])
    expect((await call(ws!, 'worldUp', { world: 42 })).error?.code).toBe('INVALID_INPUT')
    expect((await call(ws!, 'noSuchMethod', {})).error?.code).toBe('UNKNOWN_METHOD')
    ws!.close()
  })

  it('an engine setting takes effect at once: doctor follows the container socket it names', async () => {
    const { ws } = await openWs(web, `?token=${web.token}`, { origin: web.origin })
    try {
      // Over the WebSocket an engine path is refused; the desktop app sets it from its own process.
      const refused = await call(ws!, 'setSetting', {
        key: 'container.socket',
        value: '/nonexistent/podman.sock',
      })
      expect(refused.error?.code).toBe('SETTING_DESKTOP_ONLY')
      expect(
        ((await call(ws!, 'getSettings', {})).result as Record<string, unknown>)['container.socket'],
      ).toBe(undefined)
      await service.handlers.setSetting({ key: 'container.socket', value: '/nonexistent/podman.sock' })
      const missing = (await call(ws!, 'doctor', {})).result as DoctorReport
      const container = missing.engines.find((e) => e.kind === 'container')!
      expect(container.available).toBe(false)
      expect(container.error?.message).toContain('/nonexistent/podman.sock')
      await call(ws!, 'setSetting', { key: 'container.socket', value: '' })
      const back = (await call(ws!, 'doctor', {})).result as DoctorReport
      expect(back.engines.find((e) => e.kind === 'container')!.available).toBe(true)
      expect(
        ((await call(ws!, 'getSettings', {})).result as Record<string, unknown>)['container.socket'],
      ).toBe('')
    } finally {
      ws!.close()
    }
  })

  it('serves the same contract on a control socket readable only by this user', async () => {
    const path = join(stateDir(), 'test-control.sock')
    const server = await listenControlSocket(service.handlers, service.bus, path)
    try {
      expect(statSync(path).mode & 0o777).toBe(0o600)
      const conn = await connectControlSocket(path)
      expect(conn).toBeDefined()
      const report = await conn!.client.doctor()
      expect(report.engines).toHaveLength(3)
      await expect(conn!.client.stopInstance({ id: '' })).rejects.toMatchObject({ code: 'INVALID_INPUT' })
      await expect(listenControlSocket(service.handlers, service.bus, path)).rejects.toMatchObject({
        code: 'ALREADY_RUNNING',
      })
      conn!.close()
    } finally {
      server.close()
    }
  })
})
