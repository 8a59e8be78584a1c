import { open } from 'node:fs/promises'

/**
 * The version string an x86 Linux bzImage carries in its boot header ("6.1.0-57-cloud-amd64 …"),
 * or undefined for anything else (an ELF vmlinux, an arm64 Image).
 */
export async function kernelVersion(path: string): Promise<string | undefined> {
  const f = await open(path, 'r')
  try {
    const header = Buffer.alloc(0x210)
    await f.read(header, 0, header.length, 0)
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
