/**
 * The layers, checked on every lint (npm run lint): what may import what. docs/architecture.md
 * draws the same picture.
 *
 *   contract/            the floor: kinds, API methods, events (imports nothing of ours)
 *   main/core/           world files, supervisor, bench, the Runtime port (no engine, no Electron, no front)
 *   main/runtimes/<kind> one folder per kind, implementing the port (never another kind's folder)
 *     wasm/host/         what runs inside a Wasm host process; wasm/module/ module files (used by both)
 *   main/ (root files)   the composition root and the fronts: service, transports, CLI, Electron
 *   preload/, renderer/  the desktop window's side: the contract only, never main/
 */
const ENGINE_SDKS = '^node_modules/(dockerode|docker-modem|@bytecodealliance|ws|electron)/'

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import circle makes load order matter and layers meaningless.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'contract-is-the-floor',
      comment: 'The contract is read by main, the preload and the renderer: it imports nothing of theirs.',
      severity: 'error',
      from: { path: '^contract/' },
      to: { path: '^(main|preload|renderer)/' },
    },
    {
      name: 'window-side-not-main',
      comment: 'The preload and the renderer talk to main only through the contract.',
      severity: 'error',
      from: { path: '^(preload|renderer)/' },
      to: { path: '^main/' },
    },
    {
      name: 'renderer-not-preload',
      comment:
        'The renderer reaches the service through window.worldbench or the WebSocket, not the preload.',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: '^preload/' },
    },
    {
      name: 'core-stays-core',
      comment: 'main/core is the domain: it imports no runtime, no transport, no CLI, no Electron code.',
      severity: 'error',
      from: { path: '^main/core/' },
      to: { path: '^main/', pathNot: '^main/core/' },
    },
    {
      name: 'core-no-engine-sdk',
      comment:
        'Engines (Docker, jco, Electron, WebSockets) are reached through the Runtime port and the fronts.',
      severity: 'error',
      from: { path: '^main/core/' },
      to: { path: ENGINE_SDKS },
    },
    {
      name: 'runtimes-apart',
      comment: "A runtime folder never reaches into another kind's folder.",
      severity: 'error',
      from: { path: '^main/runtimes/([^/]+)/' },
      to: { path: '^main/runtimes/', pathNot: '^main/runtimes/$1/' },
    },
    {
      name: 'wasm-module-stands-alone',
      comment:
        'wasm/module/ is about module files (bytes, inspection, caches): both processes use it, it uses neither.',
      severity: 'error',
      from: { path: '^main/runtimes/wasm/module/' },
      to: { path: '^main/runtimes/wasm/', pathNot: '^main/runtimes/wasm/module/' },
    },
    {
      name: 'wasm-host-stands-below-the-service',
      comment:
        'wasm/host/ runs inside the Wasm host process (and its guest workers): it never reaches back into the service side at wasm/.',
      severity: 'error',
      from: { path: '^main/runtimes/wasm/host/' },
      to: { path: '^main/runtimes/wasm/', pathNot: '^main/runtimes/wasm/(host|module)/' },
    },
    {
      name: 'wasm-service-talks-protocol',
      comment:
        'The service side of wasm/ talks to a host process through its message protocol; the one exception runs a command module inline (`worldbench run`, like `wasmtime run`).',
      severity: 'error',
      from: { path: '^main/runtimes/wasm/[^/]+$' },
      to: {
        path: '^main/runtimes/wasm/host/',
        pathNot: '^main/runtimes/wasm/host/(protocol|run-inline)\\.ts$',
      },
    },
    {
      name: 'runtimes-below-fronts',
      comment: 'Runtimes implement the port; they do not call the service, a transport or the CLI.',
      severity: 'error',
      from: { path: '^main/runtimes/' },
      to: { path: '^main/', pathNot: '^main/(core|runtimes)/' },
    },
    {
      name: 'only-the-composition-root-wires-runtimes',
      comment:
        'Outside the runtimes only the composition root names an implementation: create-service.ts (the service and its runtimes), the Electron entry (which hands the Wasm host its process), the `run` command (a module run directly, no service, like `wasmtime run`) and the `ps` command (with no service, a read-only look at the engines: runtimes/look.ts).',
      severity: 'error',
      from: {
        path: '^main/',
        pathNot:
          '^main/(runtimes/|electron/|index\\.ts$|create-service\\.ts$|cli/commands/run\\.ts$|cli/commands/ps\\.ts$)',
      },
      to: { path: '^main/runtimes/' },
    },
    {
      name: 'electron-only-in-the-shell',
      comment:
        'Only the Electron shell and the preload import electron; everything else runs under plain Node.',
      severity: 'error',
      from: { pathNot: '^(main/electron/|main/index\\.ts$|preload/)' },
      to: { path: '^node_modules/electron/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(out|node_modules|test-results)/' },
  },
}
