import { type FileHandle, open } from 'node:fs/promises'

const BANNER = Buffer.from('Linux version ')
const CHUNK = 4 * 1024 * 1024

/**
 * The version of a Linux kernel image ("6.1.0-57-cloud-amd64"): from an x86 bzImage's boot
 * header, or from the banner in an uncompressed ELF vmlinux; undefined for anything else (an
 * arm64 Image, a compressed kernel of another kind).
 */
export async function kernelVersion(path: string): Promise<string | undefined> {
  const f = await open(path, 'r')
  try {
    const header = Buffer.alloc(0x210)
    await f.read(header, 0, header.length, 0)
    if (header.toString('latin1', 0, 4) === '\x7fELF') return await bannerVersion(f)
    if (header.toString('latin1', 0x202, 0x206) !== 'HdrS') return undefined
    const at = header.readUInt16LE(0x20e) + 0x200
    const text = Buffer.alloc(128)
    const { bytesRead } = await f.read(text, 0, text.length, at)
    const version = text.toString('latin1', 0, bytesRead).split('\0')[0]?.split(' ')[0]
    return version || undefined
  } finally {
    await f.close()
  }
}

/** The first "Linux version X " in the file, read in chunks that overlap by the banner's length. */
async function bannerVersion(f: FileHandle): Promise<string | undefined> {
  const buf = Buffer.alloc(CHUNK + 256)
  for (let pos = 0; ; pos += CHUNK) {
    const { bytesRead } = await f.read(buf, 0, buf.length, pos)
    if (bytesRead === 0) return undefined
    const at = buf.subarray(0, bytesRead).indexOf(BANNER)
    if (at >= 0 && at < CHUNK) {
      const rest = buf.toString('latin1', at + BANNER.length, Math.min(bytesRead, at + 256))
      return /^[\w.+~-]+/.exec(rest)?.[0]
    }
    if (bytesRead < buf.length) return undefined
  }
}
