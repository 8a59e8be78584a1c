import type { ErrorShape } from '../../contract/api.ts'

/** An error a person can act on: a stable code, what went wrong, and what to do about it. */
export class WorldbenchError extends Error {
  readonly code: string
  readonly hint: string | undefined
  readonly details: Record<string, unknown> | undefined

  constructor(code: string, message: string, hint?: string, details?: Record<string, unknown>) {
    super(message)
    this.name = 'WorldbenchError'
    this.code = code
    this.hint = hint
    this.details = details
  }

  toShape(): ErrorShape {
    const shape: ErrorShape = { code: this.code, message: this.message }
    if (this.hint) shape.hint = this.hint
    if (this.details) shape.details = this.details
    return shape
  }
}

/** Turns anything thrown into the one error shape every transport sends. */
export function toErrorShape(err: unknown): ErrorShape {
  if (err instanceof WorldbenchError) return err.toShape()
  if (err instanceof Error) {
    return { code: 'INTERNAL', message: err.message, hint: 'This is a bug in Worldbench; please report it.' }
  }
  return { code: 'INTERNAL', message: String(err), hint: 'This is a bug in Worldbench; please report it.' }
}

export function isErrnoCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code
}
