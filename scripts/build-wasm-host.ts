// `npm run build` part: the Wasm host process as one CommonJS file, out/main/wasm-host.cjs.
// CommonJS, because a host loaded as an ES module also loads Node's ESM loader: ~2.6 MiB more
// RSS in every host. electron-vite builds the rest (ES modules).
import { resolve } from 'node:path'
import { build } from 'vite'

await build({
  configFile: false,
  logLevel: 'warn',
  build: {
    ssr: true,
    target: 'node22',
    outDir: resolve('out/main'),
    emptyOutDir: false,
    minify: false,
    rollupOptions: {
      input: { 'wasm-host': resolve('main/runtimes/wasm/host/host.ts') },
      output: { format: 'cjs', entryFileNames: '[name].cjs' },
    },
  },
})
