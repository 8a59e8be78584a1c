export { inspectWasm, type WasmInspection } from './module/inspect.ts'
export { type RunDirectOptions, type RunDirectServing, runWasmDirect } from './run-direct.ts'
export { WasmRuntime } from './wasm-runtime.ts'
