/** The WASI preview 1 errno values the sandbox layer returns itself (wasi_snapshot_preview1 witx). */
export const ERRNO = {
  SUCCESS: 0,
  ACCES: 2,
  BADF: 8,
  ILSEQ: 25,
  INVAL: 28,
  ISDIR: 31,
  LOOP: 32,
  NAMETOOLONG: 37,
  NOBUFS: 42,
  NOENT: 44,
  NOTDIR: 54,
  NOTSOCK: 57,
  PERM: 63,
  ROFS: 69,
  NOTCAPABLE: 76,
} as const
