export type Path = (string | number)[]

export interface ComposeIssue {
  path: Path
  message: string
  severity: 'error' | 'warning'
}

export type Report = (path: Path, message: string) => void

export type Obj = Record<string, unknown>
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
