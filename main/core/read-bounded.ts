import { constants } from 'node:fs'
import { open } from 'node:fs/promises'
import { WorldbenchError } from './errors.ts'

/**
 * Reads a regular file of at most `maxBytes`. Anything else is refused before a byte is read: a
 * device like /dev/zero would fill memory, a FIFO would block forever (hence O_NONBLOCK on open),
 * a directory has no bytes. Errors of open (ENOENT, EACCES) are thrown as they are.
 */
export async function readBoundedFile(file: string, maxBytes: number, what: string): Promise<Buffer> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK)
  try {
    const st = await handle.stat()
    if (!st.isFile())
      throw new WorldbenchError(
        'NOT_A_FILE',
        `${file} is not a regular file, so it cannot be a ${what}.`,
        `Point at the ${what} itself, not a folder, device or pipe.`,
      )
    if (st.size > maxBytes) throw tooLarge(file, maxBytes, what)
    // Read one byte past the limit, so a file that grew since stat is still caught.
    const buf = Buffer.alloc(st.size + 1)
    let got = 0
    for (;;) {
      const { bytesRead } = await handle.read(buf, got, buf.length - got, got)
      if (bytesRead === 0) break
      got += bytesRead
      if (got === buf.length) throw tooLarge(file, maxBytes, what)
    }
    return buf.subarray(0, got)
  } finally {
    await handle.close()
  }
}

function tooLarge(file: string, maxBytes: number, what: string): WorldbenchError {
  return new WorldbenchError(
    'FILE_TOO_LARGE',
    `${file} is larger than ${maxBytes >> 20} MiB, the most a ${what} may be.`,
    `Check that this is the ${what} you meant.`,
  )
}
