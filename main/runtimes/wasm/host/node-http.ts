import type * as Http from 'node:http'
import { createRequire } from 'node:module'

/**
 * node:http through require, not import. Importing it as an ES module reads every export,
 * including the lazy `WebSocket` getter, which loads Node's bundled undici: ~13 MiB more RSS in
 * every Wasm host process, for a client the host never uses.
 */
export const http = createRequire(import.meta.url)('node:http') as typeof Http
