import { type ErrorShape, type Handlers, type MethodName, methods } from '../../contract/api.ts'
import { toErrorShape } from '../core/errors.ts'
import { type Caller, refusedFor } from './caller-policy.ts'

export type { Caller }

export type DispatchResult = { ok: true; result: unknown } | { ok: false; error: ErrorShape }

/**
 * The one boundary every transport goes through: look the method up in the contract,
 * validate its input with the contract's schema, call the handler, and turn anything
 * thrown (by the handler or by the validation itself) into the error shape. An invalid call
 * never reaches a handler and never crashes.
 */
export async function dispatch(
  handlers: Handlers,
  method: unknown,
  params: unknown,
  caller: Caller = 'local',
): Promise<DispatchResult> {
  if (typeof method !== 'string' || !Object.hasOwn(methods, method)) {
    return {
      ok: false,
      error: {
        code: 'UNKNOWN_METHOD',
        message: `There is no API method named ${String(JSON.stringify(method)).slice(0, 100)}.`,
        hint: `Known methods: ${Object.keys(methods).join(', ')}.`,
      },
    }
  }
  const name = method as MethodName
  try {
    return await validateAndCall(handlers, name, params, caller)
  } catch (err) {
    return { ok: false, error: toErrorShape(err) }
  }
}

async function validateAndCall(
  handlers: Handlers,
  name: MethodName,
  params: unknown,
  caller: Caller,
): Promise<DispatchResult> {
  const parsed = methods[name].input.safeParse(params ?? undefined)
  if (!parsed.success) {
    const first = parsed.error.issues[0]
    const where = first && first.path.length > 0 ? ` at "${first.path.join('.')}"` : ''
    return {
      ok: false,
      error: {
        code: 'INVALID_INPUT',
        message: `Invalid input for ${name}${where}: ${first?.message ?? 'does not match the schema'}.`,
        hint: 'Check the call against the method schema in contract/api.ts.',
        details: { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
      },
    }
  }
  const refused = refusedFor(caller, name, parsed.data)
  if (refused) return { ok: false, error: refused }
  const handler = handlers[name] as (p: unknown) => Promise<unknown>
  return { ok: true, result: await handler(parsed.data) }
}
