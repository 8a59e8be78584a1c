/**
 * Which host directory each guest fd refers to, as the sandbox layer sees it: the preopens
 * (3, 4, … in order), then every fd path_open hands out, moved by fd_renumber and dropped by
 * fd_close. Paths are kept relative to the preopen's real host path.
 */
export interface Preopen {
  /** Real host path (symlinks resolved). */
  host: string
  guest: string
  writable: boolean
}

export interface GuestFd {
  preopen: Preopen
  /** Path below the preopen ('' = the preopen itself). */
  rel: string
  dir: boolean
  /** The fdflags it was opened or last set with (node:wasi does not report them back). */
  fdflags?: number
}

export class GuestFds {
  private readonly fds = new Map<number, GuestFd>()

  constructor(preopens: Preopen[]) {
    preopens.forEach((p, i) => {
      this.fds.set(3 + i, { preopen: p, rel: '', dir: true })
    })
  }

  get(fd: number): GuestFd | undefined {
    return this.fds.get(fd)
  }

  set(fd: number, entry: GuestFd): void {
    this.fds.set(fd, entry)
  }

  close(fd: number): void {
    this.fds.delete(fd)
  }

  renumber(from: number, to: number): void {
    const e = this.fds.get(from)
    this.fds.delete(from)
    if (e) this.fds.set(to, e)
    else this.fds.delete(to)
  }

  /** How a denial names the fd: its guest path. */
  label(fd: number): string {
    const e = this.fds.get(fd)
    if (!e) return `fd ${fd}`
    return e.rel === '' ? e.preopen.guest : `${e.preopen.guest.replace(/\/$/, '')}/${e.rel}`
  }
}
