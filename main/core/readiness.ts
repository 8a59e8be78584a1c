import { connect } from 'node:net'
import type { LogLine, PortBinding } from '../../contract/api.ts'
import { WorldbenchError } from './errors.ts'
import { request } from './http-request.ts'

export interface ReadySpec {
  http?: string
  tcp?: boolean
  log?: string
  /** A health check the engine runs inside the workload; `healthy` reports its verdict. */
  command?: string[]
  intervalSeconds?: number
  timeoutSeconds: number
}

export interface ReadinessInput {
  name: string
  ports: PortBinding[]
  ready: ReadySpec
  /** A followed log stream, for "log" probes. */
  logs?: () => AsyncIterable<LogLine>
  /** The engine's health verdict, for "command" probes. */
  healthy?: () => Promise<boolean>
  /** Whether the workload listens behind a port proxy (undefined: cannot tell), for "tcp" probes. */
  listening?: () => Promise<boolean | undefined>
  /** Called between attempts; throw to give up early (e.g. the process already exited). */
  alive?: () => Promise<void>
  signal?: AbortSignal
}

const POLL_MS = 25

/**
 * Waits until a workload answers: an HTTP 2xx/3xx on its first port, a TCP connect, or a log
 * line. Only ever talks to 127.0.0.1 (the published port), never to a container or VM address.
 */
export async function waitReady(input: ReadinessInput): Promise<number> {
  const started = performance.now()
  const deadline = started + input.ready.timeoutSeconds * 1000
  const port = input.ports[0]
  if (input.ready.log !== undefined) {
    await waitForLogLine(input, deadline)
  }
  if (input.ready.command !== undefined) await waitHealthy(input, deadline)
  if (input.ready.http !== undefined || input.ready.tcp) {
    if (!port)
      throw new WorldbenchError(
        'READY_NO_PORT',
        `${input.name} has a network readiness probe but no port.`,
        'Add a port to the workload, or use a "log" readiness probe.',
      )
    if (input.ready.http !== undefined) {
      await pollHttp(port, input.ready.http, {
        intervalMs: POLL_MS,
        deadline,
        ...(input.signal && { signal: input.signal }),
        ...(input.alive && { between: input.alive }),
        timedOut: () => notReady(input),
      })
    } else {
      while (true) {
        input.signal?.throwIfAborted()
        await input.alive?.()
        const ok = (await tcpOk(port)) && (await input.listening?.().catch(() => undefined)) !== false
        if (ok) break
        if (performance.now() > deadline) throw notReady(input)
        await sleep(POLL_MS)
      }
    }
  }
  return performance.now() - started
}

async function waitHealthy(input: ReadinessInput, deadline: number): Promise<void> {
  const healthy = input.healthy
  if (!healthy)
    throw new WorldbenchError(
      'READY_NO_HEALTH',
      `${input.name} has a command readiness probe, which only container workloads can run.`,
      'Use an http, tcp or log probe.',
    )
  while (!(await healthy())) {
    input.signal?.throwIfAborted()
    await input.alive?.()
    if (performance.now() > deadline) throw notReady(input)
    await sleep(POLL_MS * 4)
  }
}

function notReady(input: ReadinessInput): WorldbenchError {
  const what =
    input.ready.command !== undefined
      ? `its health check \`${input.ready.command.join(' ')}\` to pass`
      : input.ready.http !== undefined
        ? `HTTP ${input.ready.http}`
        : input.ready.tcp
          ? 'a TCP connection'
          : `the log line "${input.ready.log}"`
  return new WorldbenchError(
    'NOT_READY',
    `${input.name} did not become ready within ${input.ready.timeoutSeconds}s (waited for ${what}).`,
    'Check its logs; raise ready.timeoutSeconds if it is just slow (VMs under software emulation are).',
  )
}

async function waitForLogLine(input: ReadinessInput, deadline: number): Promise<void> {
  if (!input.logs)
    throw new WorldbenchError(
      'READY_NO_LOGS',
      `${input.name} has a log readiness probe but no log stream.`,
      'Use an http or tcp probe.',
    )
  const ac = new AbortController()
  const timer = setTimeout(() => ac.abort(), Math.max(0, deadline - performance.now()))
  try {
    for await (const line of input.logs()) {
      if (line.line.includes(input.ready.log!)) return
      if (ac.signal.aborted) break
    }
  } finally {
    clearTimeout(timer)
  }
  throw notReady(input)
}

export function httpOk(port: PortBinding, path: string, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: loopback(port.bind),
        port: port.host,
        path,
        method: 'GET',
        timeout: ATTEMPT_TIMEOUT_MS,
        agent: false,
        ...(signal && { signal }),
      },
      (res) => {
        res.resume()
        resolve((res.statusCode ?? 500) < 400)
      },
    )
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(false))
    req.end()
  })
}

const ATTEMPT_TIMEOUT_MS = 2000
/**
 * An attempt still unanswered after this long gets a second one beside it, and so on. QEMU's
 * user-mode network accepts a connection to a forwarded port before the guest can take it, and a
 * connection made before the guest's network is up stays silent until the attempt times out: in
 * turn, the readiness of a VM would be late by up to the whole attempt timeout.
 */
export const HEDGE_MS = 50

/**
 * GETs `path` until a 2xx/3xx; resolves with performance.now() of that answer. Attempts run
 * `intervalMs` apart, each up to ATTEMPT_TIMEOUT_MS, overlapping when one hangs (see HEDGE_MS);
 * those still open when it settles are aborted. `between` runs before each attempt (throw to give up).
 */
export async function pollHttp(
  port: PortBinding,
  path: string,
  o: {
    intervalMs: number
    deadline: number
    signal?: AbortSignal
    between?: () => Promise<void>
    timedOut: () => Error
  },
): Promise<number> {
  const attempts = new AbortController()
  let answeredAt: number | undefined
  try {
    while (true) {
      o.signal?.throwIfAborted()
      await o.between?.()
      const attempt = httpOk(port, path, attempts.signal).then((ok) => {
        if (ok) answeredAt ??= performance.now()
      })
      await Promise.race([attempt, sleep(HEDGE_MS)])
      if (answeredAt !== undefined) return answeredAt
      if (performance.now() > o.deadline) throw o.timedOut()
      await sleep(o.intervalMs)
      if (answeredAt !== undefined) return answeredAt
    }
  } finally {
    attempts.abort()
  }
}

export function tcpOk(port: PortBinding): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: loopback(port.bind), port: port.host })
    sock.setTimeout(1000, () => sock.destroy())
    sock.once('connect', () => {
      sock.destroy()
      resolve(true)
    })
    sock.once('error', () => resolve(false))
    sock.once('close', () => resolve(false))
  })
}

function loopback(bind: string): string {
  return bind === '0.0.0.0' || bind === '::' ? '127.0.0.1' : bind
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
