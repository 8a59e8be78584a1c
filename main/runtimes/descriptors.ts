import type { RuntimeDescriptor } from '../core/runtime-descriptor.ts'
import { containerDescriptor } from './container/descriptor.ts'
import { vmDescriptor } from './vm/descriptor.ts'
import { wasmDescriptor } from './wasm/descriptor.ts'

/** The runtimes Worldbench has, one per kind. A new runtime is a folder and a line here. */
export const DESCRIPTORS: RuntimeDescriptor[] = [containerDescriptor, vmDescriptor, wasmDescriptor]
