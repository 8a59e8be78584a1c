// `npm run build` part: the CLI as ES modules in out/cli, one chunk per command (main/cli.ts
// imports each command on use), with source maps. Packages stay external, as in the app's main
// bundle: they load from node_modules on demand. Chunks sit next to the entry, because
// main/core/paths.ts finds the project root two folders above the module that runs it.
import { resolve } from 'node:path'
import { build } from 'vite'

await build({
  configFile: false,
  logLevel: 'warn',
  build: {
    ssr: true,
    target: 'node22',
    outDir: resolve('out/cli'),
    emptyOutDir: true,
    minify: false,
    sourcemap: true,
    rollupOptions: {
      input: { worldbench: resolve('main/cli-main.ts') },
      output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
    },
  },
})
