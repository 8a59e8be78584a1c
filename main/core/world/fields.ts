import { z } from 'zod'

/** Field types shared by every section of a world file: each has the bounds the engines accept. */

/** Text that reaches argv, an environment or a file system: no NUL (spawn refuses it). */
export const Text = (max = 4096) =>
  z
    .string()
    .max(max)
    .refine((v) => !v.includes('\0'), 'must not contain a NUL character')
export const Path = Text(4096)
/** 1 TiB: beyond any machine this runs on, far below what overflows QEMU's or Docker's sizes. */
export const MAX_MEMORY_MIB = 1024 * 1024
export const DAY_SECONDS = 24 * 60 * 60

export const Name = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes, starting with a letter or digit')
