export type { EngineContainer, EngineImage } from './listing.ts'
export { ContainerRuntime, type ContainerRuntimeOptions } from './runtime.ts'
