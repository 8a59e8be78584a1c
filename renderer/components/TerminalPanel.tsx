import { FitAddon } from '@xterm/addon-fit'
import { Terminal } from '@xterm/xterm'
import '@xterm/xterm/css/xterm.css'
import { useEffect, useRef, useState } from 'react'
import type { InstanceInfo } from '../../contract/api.ts'
import { api, onEvent } from '../api.ts'
import { toast } from '../lib/toasts.ts'
import { toUiError } from '../lib/ui-error.ts'
import { Button, Card } from './ui.tsx'

/** What a session is, per kind, before it is opened. */
const ABOUT: Partial<Record<InstanceInfo['kind'], string>> = {
  container: 'A shell inside the container, like docker exec -it. It closes with this page.',
  vm: 'The VM’s serial console: one session at a time (a new one takes over), and everything on it is also in the VM’s log. A serial line has no window size: run stty cols N rows M in the guest if a program needs one.',
  wasm: 'For a command (serve: command): a fresh run of the module with the same grants, reading what you type here as its stdin (lines are sent on Enter; Ctrl-D ends its input) and printing here. Also after its own run ended. Workloads that serve HTTP have no stdin.',
}

/** Kinds whose terminal is a fresh run of the workload: it opens whether or not the instance runs. */
const FRESH: InstanceInfo['kind'][] = ['wasm']

/** A shell in a running container (docker exec with a TTY), a VM's serial console or a Wasm command's stdin and stdout, in xterm.js; opened on request only. */
export function TerminalPanel({ instance }: { instance: InstanceInfo }) {
  const [open, setOpen] = useState(false)
  const fresh = FRESH.includes(instance.kind)
  const running = instance.state === 'running'
  useEffect(() => {
    if (!running && !fresh) setOpen(false)
  }, [running, fresh])
  return (
    <Card className="mt-4">
      <div className="mb-2 flex items-center gap-2">
        <h2 className="font-semibold">Terminal</h2>
        <div className="ml-auto">
          {open ? (
            <Button onClick={() => setOpen(false)} label="Close terminal">
              Close
            </Button>
          ) : (
            <Button
              variant="primary"
              disabled={!running && !fresh}
              onClick={() => setOpen(true)}
              label="Open terminal"
            >
              Open terminal
            </Button>
          )}
        </div>
      </div>
      {open ? (
        <TerminalSession id={instance.id} />
      ) : (
        <p className="text-sm text-slate-500">
          {running || fresh ? ABOUT[instance.kind] : 'Start the instance to open a terminal into it.'}
        </p>
      )}
    </Card>
  )
}

function TerminalSession({ id }: { id: string }) {
  const box = useRef<HTMLDivElement>(null)
  const [title, setTitle] = useState('connecting…')
  useEffect(() => {
    const el = box.current
    if (!el) return
    const term = new Terminal({ convertEol: false, fontSize: 13, cursorBlink: true })
    const fit = new FitAddon()
    term.loadAddon(fit)
    term.open(el)
    fit.fit()
    let session: string | undefined
    let closed = false
    const offs: (() => void)[] = []
    const close = () => {
      if (session && !closed) void api.terminalClose({ session }).catch(() => undefined)
      closed = true
    }
    // Output can come before the answer that names the session (a Wasm command's first lines):
    // listened to from the start, and what comes before the answer is kept until then.
    const early: (() => void)[] = []
    const mine = (e: { session: string }, handle: () => void) => {
      if (closed) return
      if (session === undefined) early.push(() => e.session === session && handle())
      else if (e.session === session) handle()
    }
    offs.push(
      onEvent('terminalOutput', (e) => mine(e, () => term.write(e.data))),
      onEvent('terminalExit', (e) =>
        mine(e, () => {
          closed = true
          term.write(`\r\n[${e.reason ?? 'ended'}]\r\n`)
          setTitle('ended')
        }),
      ),
    )
    api
      .terminalOpen({ id, cols: term.cols, rows: term.rows })
      .then((opened) => {
        if (closed) {
          void api.terminalClose({ session: opened.session }).catch(() => undefined)
          return
        }
        session = opened.session
        setTitle(opened.title)
        for (const replay of early.splice(0)) replay()
        const input = term.onData((data) => {
          if (session && !closed) void api.terminalInput({ session, data }).catch(() => undefined)
        })
        offs.push(() => input.dispose())
        term.focus()
      })
      .catch((err: unknown) => {
        const e = toUiError(err)
        closed = true
        term.write(`\r\n${e.message}\r\n`)
        setTitle('not opened')
        toast('error', e.message, e.hint)
      })
    let pending: ReturnType<typeof setTimeout> | undefined
    const ro = new ResizeObserver(() => {
      clearTimeout(pending)
      pending = setTimeout(() => {
        fit.fit()
        if (session && !closed)
          void api.terminalResize({ session, cols: term.cols, rows: term.rows }).catch(() => undefined)
      }, 100)
    })
    ro.observe(el)
    window.addEventListener('beforeunload', close)
    return () => {
      window.removeEventListener('beforeunload', close)
      ro.disconnect()
      clearTimeout(pending)
      for (const off of offs) off()
      close()
      term.dispose()
    }
  }, [id])
  return (
    <div>
      <p className="mb-1 font-mono text-xs text-slate-500" data-testid="terminal-title">
        {title}
      </p>
      <div ref={box} className="h-72 overflow-hidden rounded bg-black p-1" data-testid="terminal" />
    </div>
  )
}
