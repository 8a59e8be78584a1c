/**
 * Parses a .env or env_file file the way Compose does: KEY=VALUE lines, `#` comments, an optional
 * `export `, single quotes taken literally, double quotes with \n escapes, and a bare KEY meaning
 * "unset" (left out here).
 */
export function parseDotenv(text: string): { values: Record<string, string>; bad: number[] } {
  const values: Record<string, string> = {}
  const bad: number[] = []
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(?:=\s*(.*))?$/.exec(line)
    if (!m) {
      bad.push(i + 1)
      return
    }
    const [, key, rest] = m
    if (rest === undefined) return
    values[key!] = unquote(rest)
  })
  return { values, bad }
}

function unquote(v: string): string {
  const q = v[0]
  if ((q === '"' || q === "'") && v.length > 1) {
    const end = v.indexOf(q, 1)
    if (end > 0) {
      const inner = v.slice(1, end)
      return q === "'" ? inner : inner.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\')
    }
  }
  // An unquoted value ends at a " #" comment.
  return v.replace(/\s+#.*$/, '').trim()
}
