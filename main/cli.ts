import { Command, Option } from 'commander'
import { version } from './version.ts'

type CommandFn<A extends unknown[]> = (...args: A) => Promise<number>

/**
 * Runs one CLI command; resolves with the process exit code. Each command's module is imported
 * only when that command runs, so `--help` or `ps` never pays for the engines or the contract's
 * schemas another command needs (in the built CLI each is a chunk of its own).
 */
export async function runCli(argv: string[]): Promise<number> {
  let code = 0
  const run =
    <A extends unknown[]>(load: () => Promise<CommandFn<A>>) =>
    async (...args: A) => {
      code = await (await load())(...args)
    }
  const worlds = () => import('./cli/commands/worlds.ts')
  const program = new Command()
    .name('worldbench')
    .description('Run VMs, containers and WebAssembly side by side, see what each costs, benchmark them.')
    .version(version, '-v, --version')
    .showHelpAfterError()
    .exitOverride()
    // Options after a subcommand are that subcommand's: `run x.wasm --flag` passes --flag to the guest.
    .enablePositionalOptions()

  program
    .command('doctor')
    .description('Probe the container engine, QEMU and the Wasm engine')
    .option('--json', 'machine-readable output')
    .action(run(async () => (await import('./cli/commands/doctor.ts')).doctorCommand))
  program
    .command('serve')
    .description('Web mode: serve the UI on 127.0.0.1 behind a token (and the control socket)')
    .option('-p, --port <port>', 'port (0 = any free port)', '0')
    .addOption(new Option('--host <host>', 'address to bind').default('127.0.0.1'))
    .option('--json', 'print the URL as JSON')
    .action(run(async () => (await import('./cli/commands/serve.ts')).serveCommand))
  program
    .command('validate <file>')
    .description('Check a world file without starting anything')
    .option('--json', 'machine-readable output')
    .action(run(async () => (await worlds()).validateCommand))
  program
    .command('up <world>')
    .description('Start a world (a sample name or a world.yaml); waits until ready and prints URLs')
    .option('-d, --detach', 'hand it to a background service (started if none runs) and return')
    .option('--json', 'machine-readable output')
    .option('-y, --yes', "trust the world's scripts (prepare, build) without asking")
    .action(run(async () => (await worlds()).upCommand))
  program
    .command('down <world>')
    .description('Stop a world')
    .option('--json', 'machine-readable output')
    .action(run(async () => (await worlds()).downCommand))
  program
    .command('ps')
    .description('List instances with state, URL, CPU and memory')
    .option('--json', 'machine-readable output')
    .action(run(async () => (await import('./cli/commands/ps.ts')).psCommand))
  program
    .command('logs <instance>')
    .description('Show the logs of an instance (its workload name, world/workload, or id)')
    .option('-n, --tail <lines>', 'lines from the end', '200')
    .option('-f, --follow', 'keep printing new lines')
    .action(run(async () => (await import('./cli/commands/logs.ts')).logsCommand))

  const service = program
    .command('service')
    .description('The one service per state dir that every front talks to')
  service
    .command('start')
    .description('Start the service in the background (if none runs)')
    .option('--json', 'machine-readable output')
    .action(run(async () => (await import('./cli/commands/service.ts')).serviceStartCommand))
  service
    .command('stop')
    .description('Stop the service that owns the state dir, and the workloads it runs')
    .action(run(async () => (await import('./cli/commands/service.ts')).serviceStopCommand))
  service
    .command('status')
    .description('Which process owns the state dir (exit code 3 when none)')
    .option('--json', 'machine-readable output')
    .action(run(async () => (await import('./cli/commands/service.ts')).serviceStatusCommand))
  service
    .command('run')
    .description('Run the service in this terminal, without the web UI (what "start" runs in the background)')
    .action(run(async () => (await import('./cli/commands/service.ts')).serviceRunCommand))

  const collect = (v: string, all: string[]) => [...all, v]
  program
    .command('run <file> [args...]')
    .description('Run a Wasm module or component directly (like wasmtime run); no capability unless given')
    .option('--dir <host:guest[:rw]>', 'preopen a directory (read-only unless :rw); repeatable', collect, [])
    .option('--env <K=V>', 'an environment variable for the guest; repeatable', collect, [])
    .addOption(
      new Option('--serve <mode>', 'serve over HTTP on 127.0.0.1 instead of running once').choices([
        'command',
        'cgi',
        'http',
      ]),
    )
    .option('--port <n>', 'host port for --serve (0 = any free port)')
    .option('--memory <MiB>', 'maximum linear memory')
    .option('--timeout <seconds>', 'wall-clock limit per run or request')
    .option('-v, --verbose', "print Worldbench's own lines (grants, denials) on stderr")
    .passThroughOptions()
    .action(run(async () => (await import('./cli/commands/run.ts')).runCommand))
  program
    .command('bench <world>')
    .description('Benchmark the same workload as each kind: cold start, memory, requests/s, latency')
    .option('--kinds <list>', 'kinds to compare, e.g. vm,container,wasm (default: all in the world)')
    .option('--repeats <n>', 'measured repeats per kind', '5')
    .option('--warmups <n>', 'warm-up rounds, not counted', '1')
    .option('--load-seconds <s>', 'seconds of HTTP load per repeat', '5')
    .option('--idle-seconds <s>', 'seconds of idle sampling per repeat', '2')
    .option('--connections <n>', 'concurrent connections of the load', '8')
    .option('--density <n>', 'also start up to n instances of each kind and report memory per extra instance')
    .option(
      '--density-budget <MiB>',
      'stop the density test when all instances together use this much memory',
    )
    .option(
      '--direct',
      "also start each kind directly with its engine (no Worldbench) and report Worldbench's overhead",
    )
    .option('--json', 'machine-readable output')
    .option('-y, --yes', "trust the world's scripts (prepare, build) without asking")
    .action(run(async () => (await import('./cli/commands/bench.ts')).benchCommand))

  program
    .command('import <compose>')
    .description(
      'Write a Compose file out as a world file (up, validate and bench also read Compose files directly)',
    )
    .option('-o, --output <file>', 'the world.yaml to write (default: print it)')
    .action(run(async () => (await import('./cli/commands/import.ts')).importCommand))
  program
    .command('export <world>')
    .description(
      'Write a world as Kubernetes manifests (Deployments, KubeVirt VMs, SpinApps) or a Compose file',
    )
    .addOption(
      new Option('--to <format>', 'what to write').choices(['kubernetes', 'compose']).makeOptionMandatory(),
    )
    .option('-o, --output <dir>', 'folder to write to (default: print to stdout)')
    .addOption(
      new Option(
        '--wasm <target>',
        'Wasm on Kubernetes: SpinKube SpinApps, or pods with a runwasi RuntimeClass',
      )
        .choices(['spinkube', 'runwasi'])
        .default('spinkube'),
    )
    .option('--runtime-class <name>', 'the runwasi RuntimeClass (default: wasmtime)')
    .option('--registry <host/path>', 'tag and push the images Worldbench builds there (needs -o)')
    .option('--json', 'machine-readable output')
    .action(run(async () => (await import('./cli/commands/export.ts')).exportCommand))

  try {
    await program.parseAsync(argv, { from: 'user' })
    return code
  } catch (err) {
    const e = err as { code?: string; exitCode?: number }
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) return e.exitCode ?? 1
    const { printError } = await import('./cli/output.ts')
    printError(err)
    return 1
  }
}
