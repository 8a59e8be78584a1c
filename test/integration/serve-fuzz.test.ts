import { readFileSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { methodNames } from '../../contract/api.ts'
import { rawGet, type ServeProcess, startServe, stillAnswers } from './serve-process.ts'

/**
 * Property-based fuzzing of a real `worldbench serve`: generated and hand-picked hostile inputs on
 * every way in (HTTP request targets, WebSocket messages, control-socket lines). Each input must
 * get an answer, never a server error, and the service must still answer afterwards.
 */
const corpus = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', 'fixtures', 'hostile-inputs', 'corpus.json'), 'utf8'),
) as { targets: string[]; messages: string[] }

const RUNS = { http: 400, ws: 600, control: 300 }
let tried = 0

/** Request targets: no space, CR or LF (those end the request line), anything else goes. */
const target = fc
  .oneof(
    fc.constantFrom(...corpus.targets),
    fc.webPath(),
    fc
      .array(
        fc.oneof(
          fc.constantFrom(
            '/',
            '//',
            '%',
            '%c0',
            '%ae',
            '%00',
            '%zz',
            '[',
            ']',
            '..',
            '\\',
            '?',
            '#',
            '@',
            ':',
          ),
          fc.string({ maxLength: 4 }),
        ),
        { maxLength: 12 },
      )
      .map((parts) => parts.join('')),
    fc.string({ unit: 'binary', maxLength: 40 }),
  )
  .map((t) => t.replace(/[ \r\n]/g, ''))

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`
const message = fc.oneof(
  fc.constantFrom(...corpus.messages),
  fc.string({ maxLength: 200 }),
  fc.json({ maxDepth: 6 }),
  fc
    .record({
      id: fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 5 })),
      method: fc.oneof(fc.constantFrom(...methodNames), fc.string({ maxLength: 20 })),
      params: fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.dictionary(fc.string(), fc.jsonValue())),
    })
    .map((r) => JSON.stringify(r)),
  fc.integer({ min: 1, max: 20_000 }).map(nested),
)

/** One WebSocket that answers each message in turn (events are skipped). */
async function answeringSocket(serve: ServeProcess) {
  const ws = new WebSocket(`ws://127.0.0.1:${serve.port}/api`, { headers: { cookie: serve.cookie } })
  await new Promise((r, j) => ws.once('open', r).once('error', j))
  let waiting: ((msg: { ok: boolean; error?: { code: string } }) => void) | undefined
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString())
    if ('id' in msg && waiting) waiting(msg)
  })
  return {
    ask: (text: string) =>
      new Promise<{ ok: boolean; error?: { code: string } }>((resolve, reject) => {
        // Generous: only a request the service never answers gets here, and it names the input.
        const timer = setTimeout(() => reject(new Error(`no answer to ${text.slice(0, 200)}`)), 60_000)
        waiting = (msg) => {
          clearTimeout(timer)
          resolve(msg)
        }
        ws.send(text)
      }),
    close: () => ws.close(),
  }
}

function controlConnection(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(path, () => resolve(s))
    s.once('error', reject)
  })
}

describe('fuzzing a real `worldbench serve`', () => {
  let serve: ServeProcess

  beforeAll(async () => {
    serve = await startServe()
  })
  afterAll(async () => {
    await serve.stop()
    process.stdout.write(`serve-fuzz: ${tried} hostile inputs tried\n`)
  })

  it(`HTTP: ${corpus.targets.length * 2} corpus targets + ${RUNS.http} generated ones get an answer, never a 5xx`, async () => {
    const answered = async (t: string, withCookie: boolean) => {
      tried++
      const status = await rawGet(serve, t, withCookie ? [`Cookie: ${serve.cookie}`] : [])
      // 503 is only "the renderer is not built yet".
      return status >= 200 && (status < 500 || status === 503)
    }
    for (const t of corpus.targets) {
      expect(await answered(t, false), t).toBe(true)
      expect(await answered(t, true), t).toBe(true)
    }
    await fc.assert(fc.asyncProperty(target, fc.boolean(), answered), { numRuns: RUNS.http })
    expect(await stillAnswers(serve)).toBe(true)
  })

  it(`WebSocket: ${corpus.messages.length} corpus messages + ${RUNS.ws} generated ones each get an answer, never INTERNAL`, async () => {
    const socket = await answeringSocket(serve)
    const answered = async (text: string) => {
      tried++
      const res = await socket.ask(text)
      return typeof res.ok === 'boolean' && res.error?.code !== 'INTERNAL'
    }
    try {
      for (const m of corpus.messages) expect(await answered(m), m).toBe(true)
      await fc.assert(fc.asyncProperty(message, answered), { numRuns: RUNS.ws })
    } finally {
      socket.close()
    }
    expect(await stillAnswers(serve)).toBe(true)
  })

  it(`control socket: ${corpus.messages.length} corpus lines + ${RUNS.control} lines of random bytes leave the connection serving`, async () => {
    const servesAfter = async (garbage: Uint8Array | string) => {
      tried++
      const s = await controlConnection(serve.controlSocket)
      try {
        let text = ''
        const answer = new Promise<boolean>((resolve) => {
          s.on('data', (c) => {
            text += c
            if (text.includes('"id":424242,"ok":true')) resolve(true)
          })
          s.on('close', () => resolve(false))
        })
        s.write(garbage)
        s.write('\n{"id":424242,"method":"getSettings"}\n')
        return await answer
      } finally {
        s.destroy()
      }
    }
    for (const m of corpus.messages) expect(await servesAfter(m), m).toBe(true)
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), servesAfter), {
      numRuns: RUNS.control,
    })
    expect(await stillAnswers(serve)).toBe(true)
  })
})
