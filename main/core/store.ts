import { chmodSync, closeSync, existsSync, openSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { stateDir } from './paths.ts'

/**
 * The embedded SQLite file in the state dir: settings, the desired state of worlds, and
 * bench runs. node:sqlite ships inside Node 24 (and so inside Electron 45): nothing native
 * to rebuild per platform, which is why it is used instead of better-sqlite3.
 */
const MIGRATIONS: string[] = [
  `CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE worlds (name TEXT PRIMARY KEY, file TEXT NOT NULL, desired TEXT NOT NULL, updated_at INTEGER NOT NULL);
   CREATE TABLE bench_runs (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, title TEXT NOT NULL, report TEXT NOT NULL);`,
  // The world files (with their scripts) a person agreed to run, by content: an edit asks again.
  `CREATE TABLE trusted_worlds (file TEXT PRIMARY KEY, sha256 TEXT NOT NULL, trusted_at INTEGER NOT NULL);`,
]

export interface WorldRecord {
  name: string
  file: string
  desired: 'up' | 'down'
  updatedAt: number
}

export interface BenchRecord {
  id: string
  createdAt: number
  title: string
  report: unknown
}

const storeFile = () => join(stateDir(), 'worldbench.db')

function settingsOf(db: DatabaseSync): Record<string, unknown> {
  const rows = db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[]
  return Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value)]))
}

/** The settings, read by a process that changes nothing (no file created, no migration). */
export function readSettings(file = storeFile()): Record<string, unknown> {
  if (!existsSync(file)) return {}
  const db = new DatabaseSync(file, { readOnly: true })
  try {
    return settingsOf(db)
  } finally {
    db.close()
  }
}

export class Store {
  readonly file: string
  private readonly db: DatabaseSync

  constructor(file = storeFile()) {
    this.file = file
    // Created 0600 before SQLite opens it: SQLite gives the -wal and -shm files the mode of the
    // database file. Files made by an older Worldbench (or a looser umask) are tightened too.
    closeSync(openSync(file, 'a', 0o600))
    this.db = new DatabaseSync(file)
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 3000;')
    for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600)
    this.migrate()
  }

  schemaVersion(): number {
    const row = this.db.prepare('PRAGMA user_version').get() as { user_version: number }
    return row.user_version
  }

  private migrate(): void {
    for (let v = this.schemaVersion(); v < MIGRATIONS.length; v++) {
      this.db.exec('BEGIN')
      try {
        this.db.exec(MIGRATIONS[v]!)
        this.db.exec(`PRAGMA user_version = ${v + 1}`)
        this.db.exec('COMMIT')
      } catch (err) {
        this.db.exec('ROLLBACK')
        throw err
      }
    }
  }

  getSettings(): Record<string, unknown> {
    return settingsOf(this.db)
  }

  setSetting(key: string, value: unknown): void {
    this.db
      .prepare(
        'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      )
      .run(key, JSON.stringify(value))
  }

  setWorld(name: string, file: string, desired: 'up' | 'down'): void {
    this.db
      .prepare(
        `INSERT INTO worlds (name, file, desired, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET file = excluded.file, desired = excluded.desired, updated_at = excluded.updated_at`,
      )
      .run(name, file, desired, Date.now())
  }

  worlds(): WorldRecord[] {
    const rows = this.db
      .prepare('SELECT name, file, desired, updated_at FROM worlds ORDER BY name')
      .all() as {
      name: string
      file: string
      desired: 'up' | 'down'
      updated_at: number
    }[]
    return rows.map((r) => ({ name: r.name, file: r.file, desired: r.desired, updatedAt: r.updated_at }))
  }

  trustedHash(file: string): string | undefined {
    const row = this.db.prepare('SELECT sha256 FROM trusted_worlds WHERE file = ?').get(file) as
      | { sha256: string }
      | undefined
    return row?.sha256
  }

  trustWorld(file: string, sha256: string): void {
    this.db
      .prepare(
        `INSERT INTO trusted_worlds (file, sha256, trusted_at) VALUES (?, ?, ?)
         ON CONFLICT(file) DO UPDATE SET sha256 = excluded.sha256, trusted_at = excluded.trusted_at`,
      )
      .run(file, sha256, Date.now())
  }

  saveBench(record: BenchRecord): void {
    this.db
      .prepare('INSERT INTO bench_runs (id, created_at, title, report) VALUES (?, ?, ?, ?)')
      .run(record.id, record.createdAt, record.title, JSON.stringify(record.report))
  }

  benchRuns(): Omit<BenchRecord, 'report'>[] {
    const rows = this.db
      .prepare('SELECT id, created_at, title FROM bench_runs ORDER BY created_at DESC')
      .all() as {
      id: string
      created_at: number
      title: string
    }[]
    return rows.map((r) => ({ id: r.id, createdAt: r.created_at, title: r.title }))
  }

  benchRun(id: string): BenchRecord | undefined {
    const r = this.db.prepare('SELECT id, created_at, title, report FROM bench_runs WHERE id = ?').get(id) as
      | { id: string; created_at: number; title: string; report: string }
      | undefined
    return r && { id: r.id, createdAt: r.created_at, title: r.title, report: JSON.parse(r.report) }
  }

  close(): void {
    this.db.close()
  }
}
