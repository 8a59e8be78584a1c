// The CLI's entry point (built to out/cli/worldbench.js). `--version` answers before anything
// else loads; every other command goes through commander and loads only its own module.
const argv = process.argv.slice(2)
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  const { version } = await import('./version.ts')
  process.stdout.write(`${version}\n`)
} else {
  const { runCli } = await import('./cli.ts')
  process.exitCode = await runCli(argv)
}

export {}
