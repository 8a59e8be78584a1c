/**
 * The limits a Wasm module gets when its world file names none: a guest is never unbounded by
 * default. Each CGI request gets a wall-clock limit; a command runs as long as it needs unless
 * one is given. Components (serve: http) get none: their engine does not enforce these limits
 * yet, and a limit shown but not held would be a lie.
 *
 * Kept apart from the Wasm format (and its zod schema) so `worldbench run` of a command module
 * loads no schema library.
 */
export const WASM_DEFAULT_MEMORY_MIB = 256
export const WASM_DEFAULT_REQUEST_TIMEOUT_SECONDS = 30
