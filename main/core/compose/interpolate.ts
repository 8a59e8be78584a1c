/** The outcome of interpolating one string: its value, and anything a person must hear about. */
export interface Interpolated {
  value: string
  errors: string[]
  unset: string[]
}

const PATTERN =
  /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])((?:[^{}]|\{[^{}]*\})*))?\}|([A-Za-z_][A-Za-z0-9_]*)|(\{[^}]*\}?))/g

/**
 * Compose's variable syntax: $VAR, ${VAR}, ${VAR:-default} (unset or empty), ${VAR-default}
 * (unset), ${VAR:?message} / ${VAR?message} (required), ${VAR:+alt} / ${VAR+alt}, and $$ for a
 * literal $. Defaults may themselves hold variables.
 */
export function interpolate(text: string, env: Record<string, string | undefined>): Interpolated {
  const errors: string[] = []
  const unset: string[] = []
  const value = text.replace(PATTERN, (whole, dollar, name, op, arg, bare, broken) => {
    if (dollar) return '$'
    if (broken !== undefined) {
      errors.push(`"${whole}" is not a valid variable reference; write \${NAME}, or $$ for a literal $`)
      return whole
    }
    const key = (name ?? bare) as string
    const v = env[key]
    const isSet = v !== undefined
    const nonEmpty = isSet && v !== ''
    const nested = () => {
      const inner = interpolate(arg ?? '', env)
      errors.push(...inner.errors)
      unset.push(...inner.unset)
      return inner.value
    }
    switch (op) {
      case ':-':
        return nonEmpty ? v! : nested()
      case '-':
        return isSet ? v! : nested()
      case ':?':
      case '?':
        if (op === ':?' ? nonEmpty : isSet) return v!
        errors.push(`required variable ${key} is ${isSet ? 'empty' : 'not set'}${arg ? `: ${nested()}` : ''}`)
        return ''
      case ':+':
        return nonEmpty ? nested() : ''
      case '+':
        return isSet ? nested() : ''
    }
    if (!isSet) unset.push(key)
    return v ?? ''
  })
  return { value, errors, unset }
}
