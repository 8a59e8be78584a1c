import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { stateDir } from '../../main/core/paths.ts'
import { Store } from '../../main/core/store.ts'
import { placeQmpSocket, qmpSocketOf, removeVmFiles, vmFiles } from '../../main/runtimes/vm/instance-files.ts'

const mode = (p: string) => statSync(p).mode & 0o7777
const root = mkdtempSync(join(tmpdir(), 'wb-modes-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('state files are private', () => {
  it('a state dir that already exists as 0755 is tightened to 0700', () => {
    const dir = join(root, 'loose')
    mkdirSync(dir, { mode: 0o755 })
    chmodSync(dir, 0o755)
    process.env.WORLDBENCH_HOME = dir
    try {
      expect(stateDir()).toBe(dir)
      expect(mode(dir)).toBe(0o700)
    } finally {
      delete process.env.WORLDBENCH_HOME
    }
  })

  it('a shared sticky folder like /tmp is refused, not locked', () => {
    const dir = join(root, 'shared')
    mkdirSync(dir)
    chmodSync(dir, 0o1777)
    process.env.WORLDBENCH_HOME = dir
    try {
      expect(() => stateDir()).toThrow(expect.objectContaining({ code: 'STATE_DIR_SHARED' }))
      expect(mode(dir)).toBe(0o1777)
    } finally {
      delete process.env.WORLDBENCH_HOME
    }
  })

  it('the database and its WAL and SHM files are 0600, even under umask 022 or when they were 0644', () => {
    const dir = join(root, 'db')
    mkdirSync(dir, { mode: 0o755 })
    const previous = process.umask(0o022)
    try {
      const fresh = new Store(join(dir, 'fresh.db'))
      fresh.setSetting('a', 1)
      for (const f of ['fresh.db', 'fresh.db-wal', 'fresh.db-shm']) expect(mode(join(dir, f)), f).toBe(0o600)
      fresh.close()

      writeFileSync(join(dir, 'old.db'), '', { mode: 0o644 })
      const old = new Store(join(dir, 'old.db'))
      old.setSetting('a', 1)
      for (const f of ['old.db', 'old.db-wal', 'old.db-shm']) expect(mode(join(dir, f)), f).toBe(0o600)
      old.close()
    } finally {
      process.umask(previous)
    }
  })
})

describe('the QMP socket of a VM whose folder path is too long for a unix socket', () => {
  it('goes to a private mkdtemp folder (0700, a new name each time), recorded in the VM folder', async () => {
    const long = join(root, 'x'.repeat(90))
    const placed = []
    for (const id of ['vm-a', 'vm-b']) {
      const files = vmFiles(long, id)
      mkdirSync(files.dir, { recursive: true })
      await placeQmpSocket(files)
      expect(files.qmpSocket.length).toBeLessThanOrEqual(100)
      expect(files.qmpSocket.startsWith(files.dir)).toBe(false)
      expect(mode(dirname(files.qmpSocket))).toBe(0o700)
      expect(await qmpSocketOf(files.dir)).toBe(files.qmpSocket)
      placed.push(files)
    }
    expect(dirname(placed[0]!.qmpSocket)).not.toBe(dirname(placed[1]!.qmpSocket))
    for (const files of placed) {
      await removeVmFiles(files)
      expect(existsSync(dirname(files.qmpSocket))).toBe(false)
    }
  })

  it('stays in the VM folder when the path is short enough', async () => {
    const files = vmFiles(join(root, 'vms'), 'vm-c')
    mkdirSync(files.dir, { recursive: true })
    await placeQmpSocket(files)
    expect(files.qmpSocket).toBe(join(files.dir, 'qmp.sock'))
    expect(await qmpSocketOf(files.dir)).toBe(files.qmpSocket)
  })
})
