import { spawn, spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { createServer, type Server } from 'node:net'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WorldbenchError } from '../../main/core/errors.ts'
import { projectRoot, stateSubdir } from '../../main/core/paths.ts'
import { waitReady } from '../../main/core/readiness.ts'
import type { Instance } from '../../main/core/runtime.ts'
import type { Workload } from '../../main/core/world/schema.ts'
import { lastSerialLines, VmRuntime } from '../../main/runtimes/vm/index.ts'
import { findQemuBinary } from '../../main/runtimes/vm/qemu-discovery.ts'
import { isAlive } from '../../main/runtimes/vm/qemu-process.ts'
import { requireEngine } from './engines.ts'

// Real QEMU under whatever accelerator works here (TCG on the CI machines), booting the
// hello-trio sample image built by scripts/build-vm-image.sh.
const root = projectRoot()
const imageDir = join(root, 'resources/worlds/hello-trio/build/vm')
const kernel = join(imageDir, 'vmlinux')
const initrd = join(imageDir, 'initrd.img')

function vmWorkload(
  over: Omit<Partial<Workload>, 'vm'> & { vm?: Partial<NonNullable<Workload['vm']>> } = {},
): Workload {
  const { vm, ...rest } = over
  return {
    name: 'hello-vm',
    kind: 'vm',
    world: 'vm-test',
    ports: [{ host: 0, guest: 80, bind: '127.0.0.1' }],
    env: {},
    args: [],
    limits: {},
    restart: 'no',
    dependsOn: [],
    ...rest,
    vm: { kernel, initrd, append: 'quiet', memoryMiB: 128, cpus: 1, accel: 'auto', ...vm },
  }
}

async function errorOf(p: Promise<unknown>): Promise<WorldbenchError> {
  try {
    await p
  } catch (err) {
    if (err instanceof WorldbenchError) return err
    throw err
  }
  throw new Error('expected a WorldbenchError, got success')
}

/** Every qemu-system process whose command line mentions this suite's state dir or accel probes. */
function suiteQemuPids(): number[] {
  const home = process.env.WORLDBENCH_HOME!
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    let cmd = ''
    try {
      cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ')
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue
    } catch {
      continue
    }
    if (cmd.includes('qemu-system') && (cmd.includes(home) || cmd.includes('wb-accel-')))
      pids.push(Number(entry))
  }
  return pids
}

let runtime: VmRuntime

beforeAll(() => {
  requireEngine('QEMU', findQemuBinary() !== undefined, 'apt-get install qemu-system-x86')
  const build = spawnSync('bash', [join(root, 'scripts/build-vm-image.sh'), imageDir], { encoding: 'utf8' })
  if (build.status !== 0) throw new Error(`build-vm-image.sh failed:\n${build.stdout}\n${build.stderr}`)
  runtime = new VmRuntime()
}, 180_000)

afterAll(async () => {
  await runtime?.close()
  if (process.platform === 'linux') expect(suiteQemuPids()).toEqual([])
})

describe('VmRuntime.probe', () => {
  it('finds QEMU, its version, and which accelerators really run a guest', async () => {
    const status = await runtime.probe()
    expect(status.available).toBe(true)
    expect(status.engine).toMatch(/^QEMU \d+\.\d+\.\d+$/)
    expect(status.details.accelerators).toContain('tcg')
    if (status.details.accelerators === 'tcg') expect(status.warnings.join(' ')).toMatch(/software emulation/)
    // A /dev/kvm that opens is not proof: on these machines it cannot run a guest.
    if (existsSync('/dev/kvm') && !status.details.accelerators!.includes('kvm'))
      expect(status.details.kvm).toMatch(/^not working/)
  })

  it('says how to install QEMU when the binary is missing', async () => {
    const missing = new VmRuntime({ qemuBinary: '/nonexistent/qemu-system-x86_64' })
    const status = await missing.probe()
    expect(status.available).toBe(false)
    expect(status.error?.code).toBe('QEMU_MISSING')
    expect(status.install?.macos).toMatch(/brew install qemu/)
    const err = await errorOf(missing.start(vmWorkload()))
    expect(err.code).toBe('QEMU_MISSING')
  })
})

describe('a VM that outlives a crash of Worldbench', () => {
  let vm: Instance
  let bootMs = 0

  it('is started by a Worldbench process that is then killed with SIGKILL, and adopted by a new runtime', async () => {
    const t0 = performance.now()
    const child = spawn(
      process.execPath,
      [join(root, 'test/fixtures/vm/start-vm-then-hang.ts'), JSON.stringify(vmWorkload())],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: process.env,
      },
    )
    let out = ''
    let err = ''
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    const started = await new Promise<Instance>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString()
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!) as Instance)
      })
      child.once('exit', (code) => reject(new Error(`starter exited ${code}: ${err}`)))
    })
    child.kill('SIGKILL')
    await new Promise((r) => child.once('exit', r))
    expect(await isAlive(started.handle.pid!)).toBe(true)

    const fresh = new VmRuntime()
    const adopted = await fresh.adopt()
    const found = adopted.find((i) => i.id === started.id)
    expect(found).toBeDefined()
    expect(found!.state).toBe('running')
    expect(found!.handle.pid).toBe(started.handle.pid)
    expect(found!.ports).toEqual(started.ports)
    await runtime.close()
    runtime = fresh
    vm = found!
    await waitReady({ name: vm.id, ports: vm.ports, ready: { http: '/', timeoutSeconds: 120 } })
    bootMs = performance.now() - t0
    console.log(`VM: start (in a separate process) → first HTTP 200 in ${Math.round(bootMs)} ms`)
  })

  it('serves the hello handler through the port forwarded on 127.0.0.1', async () => {
    const url = vm.ports[0]!.url
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    const res = await fetch(`${url}?from=test`)
    expect(res.status).toBe(200)
    const body = await res.text()
    expect(body).toContain('Hello from Worldbench!')
    expect(body).toContain('method: GET')
    expect(body).toContain('query: from=test')
  })

  it('answers query-status over QMP', async () => {
    const qmp = runtime.qmpOf(vm)
    expect(qmp).toBeDefined()
    const status = await qmp!.execute<{ status: string; running: boolean }>('query-status')
    expect(status).toMatchObject({ status: 'running', running: true })
  })

  it('samples the QEMU process with the guest memory alongside', async () => {
    await runtime.sample(vm)
    // Some guest work between the two samples: each request runs the CGI in the guest.
    for (let i = 0; i < 10; i++) await (await fetch(vm.ports[0]!.url)).text()
    const s = await runtime.sample(vm)
    expect(s.memoryBytes).toBeGreaterThan(10 * 1024 * 1024)
    expect(s.guestMemoryBytes).toBe(128 * 1024 * 1024)
    expect(s.cpuPercent).toBeGreaterThan(0)
    console.log(`VM: QEMU RSS ${(s.memoryBytes / 2 ** 20).toFixed(0)} MiB, CPU ${s.cpuPercent.toFixed(1)}%`)
  })

  it('reads the serial console as its log', async () => {
    const lines: string[] = []
    for await (const l of runtime.logs(vm, { tail: 50 })) {
      expect(l.stream).toBe('serial')
      lines.push(l.line)
    }
    expect(lines).toContain('WORLDBENCH-READY')
    expect(await lastSerialLines(vm, 5)).toContain('WORLDBENCH-READY')
    // A followed log ends when its signal aborts, while the VM keeps running.
    const ac = new AbortController()
    setTimeout(() => ac.abort(), 300)
    const t0 = performance.now()
    let n = 0
    for await (const _ of runtime.logs(vm, { tail: 2, follow: true, signal: ac.signal })) n++
    expect(n).toBeGreaterThanOrEqual(1)
    expect(performance.now() - t0).toBeLessThan(2000)
  })

  it('gives the adopted VM an interactive serial console: a typed command runs in the guest, a new session takes over, the log keeps it all', async () => {
    const open = async () => {
      const stream = await runtime.terminal(vm)
      const s = { stream, out: '', exit: undefined as string | undefined }
      stream.onData((d) => {
        s.out += d
        // Answer busybox's cursor-position query as xterm.js does.
        if (d.includes('\u001b[6n')) stream.write('\u001b[1;3R')
      })
      stream.onExit((reason) => (s.exit = reason ?? 'ended'))
      return s
    }
    // Until the guest's shell ran it: its line editor drops keys typed while it waits for an answer.
    const run = async (s: Awaited<ReturnType<typeof open>>, line: string, answer: string) => {
      for (let n = 0; n < 10 && !s.out.includes(answer); n++) {
        s.stream.write(`${line}\r`)
        const end = Date.now() + 5000
        while (!s.out.includes(answer) && Date.now() < end) await new Promise((r) => setTimeout(r, 100))
      }
      expect(s.out).toContain(answer)
    }
    const first = await open()
    expect(first.stream.title).toBe('serial console of the VM')
    await first.stream.resize(120, 40)
    await run(first, 'echo wb-$((6*7)); uname -s', 'wb-42\r\nLinux')

    const second = await open()
    expect(first.exit).toBe('another console session took over')
    await run(second, 'echo wb-$((7*7))', 'wb-49')
    second.stream.close()
    expect(second.exit).toBe('closed')

    const log = readFileSync(join(vm.handle.stateDir!, 'serial.log'), 'utf8')
    expect(log).toContain('WORLDBENCH-READY')
    expect(log).toContain('wb-49')
    // The socket is in the VM's private folder, next to its QMP socket.
    expect(statSync(dirname(vm.handle.qmpSocket!)).mode & 0o777).toBe(0o700)
  })

  it('powers down cleanly over ACPI, leaving no process and no state folder', async () => {
    const ac = new AbortController()
    const followed: string[] = []
    const following = (async () => {
      for await (const l of runtime.logs(vm, { tail: 1, follow: true, signal: ac.signal }))
        followed.push(l.line)
    })()
    const powerdown = runtime.qmpOf(vm)!.waitForEvent('POWERDOWN', 20_000)
    const shutdown = runtime.qmpOf(vm)!.waitForEvent('SHUTDOWN', 20_000)
    const t0 = performance.now()
    await runtime.stop(vm, { timeoutMs: 20_000 })
    const stopMs = performance.now() - t0
    // The follow ends by itself once QEMU is gone, after the last lines (no abort needed).
    const ended = await Promise.race([
      following.then(() => true),
      new Promise((r) => setTimeout(() => r(false), 3000)),
    ])
    ac.abort()
    expect(ended).toBe(true)
    console.log(
      `VM: ACPI powerdown → process gone in ${Math.round(stopMs)} ms; serial: ${JSON.stringify(followed)}`,
    )
    // The guest's acpid ran its power-button hook: a clean shutdown, not a quit or a kill.
    expect(followed).toContain('WORLDBENCH-POWERDOWN')
    await powerdown
    expect((await shutdown).data).toMatchObject({ guest: true, reason: 'guest-shutdown' })
    expect(stopMs).toBeLessThan(15_000)
    expect(await isAlive(vm.handle.pid!)).toBe(false)
    expect(existsSync(vm.handle.stateDir!)).toBe(false)
    expect(await runtime.adopt()).toEqual([])
  })
})

describe('VM start errors', () => {
  it('names a missing kernel', async () => {
    const err = await errorOf(runtime.start(vmWorkload({ vm: { kernel: '/nonexistent/vmlinuz' } })))
    expect(err.code).toBe('VM_FILE_MISSING')
    expect(err.message).toContain('/nonexistent/vmlinuz')
    const prep = await errorOf(
      runtime.prepare(
        vmWorkload({ vm: { disk: '/nonexistent/disk.qcow2', kernel: undefined, initrd: undefined } }),
        () => {},
      ),
    )
    expect(prep.message).toContain('/nonexistent/disk.qcow2')
  })

  it('shows QEMU stderr when it exits early (a corrupt kernel) and leaves nothing behind', async () => {
    const dir = stateSubdir('test-bad-kernel')
    const bad = join(dir, 'vmlinuz')
    writeFileSync(bad, Buffer.alloc(8192, 0x5a))
    const err = await errorOf(runtime.start(vmWorkload({ vm: { kernel: bad } })))
    expect(err.code).toBe('VM_EARLY_EXIT')
    expect(err.message).toMatch(/invalid kernel header|kernel/i)
    expect(String(err.details?.stderr)).not.toBe('')
    expect(readdirSync(stateSubdir('vms'))).toEqual([])
  })

  it('shows QEMU stderr when the memory size cannot be had', async () => {
    const err = await errorOf(runtime.start(vmWorkload({ vm: { memoryMiB: 100_000_000 } })))
    expect(err.code).toBe('VM_EARLY_EXIT')
    expect(err.message).toMatch(/memory/i)
  })

  it('refuses a fixed host port that is already in use', async () => {
    const server: Server = createServer()
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    const port = (server.address() as { port: number }).port
    try {
      const err = await errorOf(
        runtime.start(vmWorkload({ ports: [{ host: port, guest: 80, bind: '127.0.0.1' }] })),
      )
      expect(err.code).toBe('PORT_IN_USE')
      expect(err.message).toContain(String(port))
    } finally {
      server.close()
    }
  })

  it('refuses an accelerator this machine does not have', async () => {
    const accel = process.platform === 'darwin' ? 'whpx' : 'hvf'
    const err = await errorOf(runtime.start(vmWorkload({ vm: { accel } })))
    expect(err.code).toBe('VM_ACCEL_UNAVAILABLE')
    expect(err.message).toContain(accel)
    expect(err.hint).toMatch(/tcg/)
  })

  it('cleans up the files of a VM that died while Worldbench was away', async () => {
    // A fake of a dead VM: a state folder whose pid has exited (a real, reaped process).
    const gone = spawnSync('true').pid
    const dir = join(stateSubdir('vms'), 'vm-test.dead-vm.000000')
    mkdirSync(dir, { recursive: true })
    writeFileSync(
      join(dir, 'meta.json'),
      JSON.stringify({
        id: 'vm-test.dead-vm.000000',
        world: 'vm-test',
        workload: 'dead-vm',
        ports: [],
        binary: 'qemu-system-x86_64',
        accel: 'tcg',
        memoryMiB: 128,
        pid: gone,
        qmpSocket: join(dir, 'qmp.sock'),
        startedAt: 0,
      }),
    )
    expect(await runtime.adopt()).toEqual([])
    expect(existsSync(dir)).toBe(false)
  })
})

describe('VM artifacts and disks', () => {
  it('prepare() reports the bytes the VM boots from', async () => {
    const a = await runtime.prepare(vmWorkload(), () => {})
    expect(a.kind).toBe('vm')
    expect(a.ref).toBe(kernel)
    expect(a.bytes).toBe(statSync(kernel).size + statSync(initrd).size)
    // The sample boots the uncompressed ELF; its version is read from the kernel's banner.
    expect(readFileSync(kernel).subarray(0, 4).toString('latin1')).toBe('\x7fELF')
    expect(a.details?.kernelVersion).toMatch(/^\d+\.\d+\.\d+-/)
  })

  it('prepare() runs vm.build when the files are missing', async () => {
    const out = stateSubdir('test-build')
    const steps: string[] = []
    const w = vmWorkload({
      vm: {
        kernel: join(out, 'vmlinuz'),
        initrd: join(out, 'initrd.img'),
        build: join(root, 'scripts/build-vm-image.sh'),
      },
    })
    const a = await runtime.prepare(w, (p) => steps.push(p.message ?? p.step))
    expect(a.bytes).toBeGreaterThan(1_000_000)
    expect(steps.some((l) => l.includes('packing initramfs'))).toBe(true)
  })

  it('boots the sample kernel on the -M pc fallback (a disk forces it): serves, and powers down over ACPI', async () => {
    const disk = join(stateSubdir('test-pc'), 'data.img')
    writeFileSync(disk, Buffer.alloc(1024 * 1024))
    const pc = await runtime.start(vmWorkload({ name: 'on-pc', vm: { disk } }))
    try {
      await waitReady({ name: pc.id, ports: pc.ports, ready: { http: '/', timeoutSeconds: 120 } })
      expect(await (await fetch(pc.ports[0]!.url)).text()).toContain('Hello from Worldbench!')
      expect((await lastSerialLines(pc, 400)).join('\n')).toMatch(/booting -M pc/)
      // The kernel's ACPI on pc (not microvm's reduced tables) still delivers the power button.
      const shutdown = runtime.qmpOf(pc)!.waitForEvent('SHUTDOWN', 20_000)
      await runtime.stop(pc, { timeoutMs: 20_000 })
      expect((await shutdown).data).toMatchObject({ guest: true, reason: 'guest-shutdown' })
    } finally {
      if (await isAlive(pc.handle.pid!)) await runtime.stop(pc, { timeoutMs: 300 })
    }
    expect(await isAlive(pc.handle.pid!)).toBe(false)
  })

  it('attaches a raw disk over virtio, and stop() falls back to quit when the guest ignores ACPI', async () => {
    const disk = join(stateSubdir('test-disk'), 'data.img')
    writeFileSync(disk, Buffer.alloc(1024 * 1024))
    const vm = await runtime.start(vmWorkload({ name: 'with-disk', vm: { disk } }))
    const blocks = await runtime
      .qmpOf(vm)!
      .execute<{ inserted?: { file: string; drv: string } }[]>('query-block')
    expect(blocks.map((b) => b.inserted)).toContainEqual(expect.objectContaining({ file: disk, drv: 'raw' }))
    // Right after start the guest has no acpid yet: powerdown is ignored, quit ends QEMU.
    const t0 = performance.now()
    await runtime.stop(vm, { timeoutMs: 300 })
    expect(performance.now() - t0).toBeLessThan(4000)
    expect(await isAlive(vm.handle.pid!)).toBe(false)
  })
})

describe('a start cut short by a crash', () => {
  it('has its QEMU reaped by adopt() instead of left running unseen', async () => {
    // QEMU started as start() does, but "Worldbench died" before meta.json was written.
    const dir = join(stateSubdir('vms'), 'vm-test.half-started.000000')
    mkdirSync(dir, { recursive: true })
    const sock = join(dir, 'qmp.sock')
    const pidFile = join(dir, 'qemu.pid')
    const q = spawn(
      findQemuBinary()!,
      [
        '-M',
        'none',
        '-nodefaults',
        '-display',
        'none',
        '-qmp',
        `unix:${sock},server=on,wait=off`,
        '-pidfile',
        pidFile,
      ],
      { detached: true, stdio: 'ignore' },
    )
    for (let i = 0; i < 100 && !(existsSync(pidFile) && existsSync(sock)); i++)
      await new Promise((r) => setTimeout(r, 20))
    const old = new Date(Date.now() - 120_000)
    utimesSync(dir, old, old)
    expect(await runtime.adopt()).toEqual([])
    expect(await isAlive(q.pid!)).toBe(false)
    expect(existsSync(dir)).toBe(false)
  })
})

describe('a VM that exits on its own', () => {
  it('is reported through watch() with the reason, and stop() still cleans up', async () => {
    const events: { instanceId: string; state: string; reason?: string; exitCode?: number }[] = []
    const unwatch = runtime.watch((e) => events.push(e))
    const vm = await runtime.start(vmWorkload({ name: 'killed-outside' }))
    // What a user's `kill` in a terminal does.
    process.kill(vm.handle.pid!, 'SIGTERM')
    for (let i = 0; i < 100 && events.length === 0; i++) await new Promise((r) => setTimeout(r, 50))
    unwatch()
    // A TERM is a shutdown QEMU announces: a stop, not a failure (a KILL is one; see restart-policy.test.ts).
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({
      instanceId: vm.id,
      state: 'stopped',
      reason: 'QEMU shut down (host-signal)',
    })
    await runtime.stop(vm)
    expect(existsSync(vm.handle.stateDir!)).toBe(false)
  })
})

describe('a VM that never becomes ready', () => {
  it('times out, shows the last serial lines, and is stopped with nothing left running', async () => {
    // The guest boots, but nothing listens on guest port 8081.
    const w = vmWorkload({ name: 'never-ready', ports: [{ host: 0, guest: 8081, bind: '127.0.0.1' }] })
    const vm = await runtime.start(w)
    let failure: WorldbenchError | undefined
    try {
      // Readiness from a serial console line works (the guest did boot)…
      const ac = new AbortController()
      await waitReady({
        name: vm.id,
        ports: vm.ports,
        ready: { log: 'WORLDBENCH-READY', timeoutSeconds: 60 },
        logs: () => runtime.logs(vm, { follow: true, signal: ac.signal }),
      })
      ac.abort()
      // …but nothing ever answers on the forwarded port.
      await waitReady({ name: vm.id, ports: vm.ports, ready: { http: '/', timeoutSeconds: 3 } })
    } catch (err) {
      if (!(err instanceof WorldbenchError)) throw err
      failure = new WorldbenchError(err.code, err.message, err.hint, {
        ...err.details,
        serial: await lastSerialLines(vm, 10),
      })
    } finally {
      await runtime.stop(vm, { timeoutMs: 10_000 })
    }
    expect(failure?.code).toBe('NOT_READY')
    const serial = failure?.details?.serial as string[]
    expect(serial.length).toBeGreaterThan(0)
    console.log(`VM never ready: last serial lines:\n${serial.join('\n')}`)
    expect(serial).toContain('WORLDBENCH-READY')
    expect(await isAlive(vm.handle.pid!)).toBe(false)
    expect(existsSync(vm.handle.stateDir!)).toBe(false)
  })
})
