import { describe, expect, it } from 'vitest'
import { LineDiscipline } from '../../main/runtimes/wasm/line-discipline.ts'

function typed(...keys: string[]) {
  const out = { echo: '', sent: [] as string[], eof: 0, interrupts: 0 }
  const d = new LineDiscipline({
    echo: (t) => (out.echo += t),
    send: (t) => out.sent.push(t),
    eof: () => out.eof++,
    interrupt: () => out.interrupts++,
  })
  for (const k of keys) d.feed(k)
  return out
}

describe('LineDiscipline (cooked mode for a guest reading a pipe)', () => {
  it('echoes keys and sends whole lines on Enter', () => {
    const out = typed('he', 'llo', '\r', 'wörld 🙂\r')
    expect(out.sent).toEqual(['hello\n', 'wörld 🙂\n'])
    expect(out.echo).toBe('hello\r\nwörld 🙂\r\n')
  })

  it('edits with Backspace and Ctrl-U, and drops arrows and other escape sequences', () => {
    const out = typed('abc\u007f\u007fx', '\u001b[D\u001bOA', '\u0015yz\r', '\u007f\r')
    expect(out.sent).toEqual(['yz\n', '\n'])
    expect(out.echo).not.toContain('\u001b')
  })

  it('ends stdin with Ctrl-D on an empty line, else sends the line so far; Ctrl-C interrupts', () => {
    const out = typed('ab\u0004', '\u0004', 'zz\u0003')
    expect(out.sent).toEqual(['ab'])
    expect(out.eof).toBe(1)
    expect(out.interrupts).toBe(1)
    expect(out.echo.endsWith('^C\r\n')).toBe(true)
  })
})
