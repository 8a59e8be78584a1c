export { lastSerialLines, VmRuntime, type VmRuntimeOptions } from './runtime.ts'
