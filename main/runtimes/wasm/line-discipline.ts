/**
 * What a TTY's cooked mode does, for a guest whose stdin is a pipe: typed keys are echoed and
 * edited here, and the guest gets whole lines on Enter. Ctrl-D ends its stdin (at the start of a
 * line; else sends what was typed), Ctrl-C interrupts, Ctrl-U erases the line; other control
 * keys and escape sequences (arrows) are dropped.
 */
export interface LineDisciplineIo {
  echo(text: string): void
  send(text: string): void
  eof(): void
  interrupt(): void
}

// An escape sequence: CSI (ESC [ … final byte), SS3 (ESC O x), or ESC and one key.
const ESCAPE = new RegExp(`^${String.fromCharCode(27)}(\\[[0-?]*[ -/]*[@-~]|O.|.)?`, 's')

export class LineDiscipline {
  private line: string[] = []
  private readonly io: LineDisciplineIo

  constructor(io: LineDisciplineIo) {
    this.io = io
  }

  feed(data: string): void {
    let rest = data
    while (rest.length > 0) {
      const esc = ESCAPE.exec(rest)
      if (esc) {
        rest = rest.slice(esc[0].length)
        continue
      }
      const ch = String.fromCodePoint(rest.codePointAt(0)!)
      rest = rest.slice(ch.length)
      this.key(ch)
    }
  }

  private key(ch: string): void {
    const { io } = this
    if (ch === '\r' || ch === '\n') {
      io.echo('\r\n')
      io.send(`${this.take()}\n`)
    } else if (ch === '\u007f' || ch === '\b') {
      if (this.line.pop() !== undefined) io.echo('\b \b')
    } else if (ch === '\u0004') {
      if (this.line.length > 0) io.send(this.take())
      else io.eof()
    } else if (ch === '\u0003') {
      this.line = []
      io.echo('^C\r\n')
      io.interrupt()
    } else if (ch === '\u0015') {
      io.echo('\b \b'.repeat(this.line.length))
      this.line = []
    } else if (ch >= ' ') {
      this.line.push(ch)
      io.echo(ch)
    }
  }

  private take(): string {
    const text = this.line.join('')
    this.line = []
    return text
  }
}
