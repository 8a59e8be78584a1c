export { WasmRuntime } from './wasm-runtime.ts'
export { inspectWasm, type WasmInspection } from './inspect.ts'
export { runWasmDirect, type RunDirectOptions, type RunDirectServing } from './run-direct.ts'
