import { ownerId } from '../../core/owner.ts'

/** The labels Worldbench puts on what it creates, so it finds its own again after a restart. */
export const LABEL_INSTANCE = 'io.worldbench.instance'
export const LABEL_WORLD = 'io.worldbench.world'
export const LABEL_WORKLOAD = 'io.worldbench.workload'
export const LABEL_OWNER = 'io.worldbench.owner'
export const LABEL_READY = 'io.worldbench.ready'

/** The label filter that selects this installation's containers. */
export const ownLabel = () => `${LABEL_OWNER}=${ownerId()}`
