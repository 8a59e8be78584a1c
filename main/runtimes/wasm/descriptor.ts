import { z } from 'zod'
import type { RuntimeDescriptor } from '../../core/runtime-descriptor.ts'
import { wasmFormat } from '../../core/world/kinds/wasm.ts'
import { WasmRuntime } from './index.ts'

/** On or off; older versions stored words ("off", "no", "0"), which still mean what they said. */
const Toggle = z.union([
  z.boolean(),
  z.string().regex(/^(on|off|true|false|yes|no|1|0)$/i, 'must be on or off'),
])
const isOff = (v: z.output<typeof Toggle> | undefined) =>
  v === false || (typeof v === 'string' && ['off', 'false', 'no', '0'].includes(v.toLowerCase()))

const Settings = z.strictObject({
  spareHost: Toggle.optional(),
})

export const wasmDescriptor: RuntimeDescriptor<typeof Settings> = {
  kind: 'wasm',
  format: wasmFormat,
  settings: Settings,
  display: {
    label: 'Wasm',
    plural: 'Wasm',
    notMeasured: { network: 'its sockets are the host process’s, not counted per workload.' },
    settings: {
      spareHost: {
        label: 'Spare Wasm host',
        control: 'toggle',
        default: true,
        help: 'Boots a Wasm host process ahead of the next start: Wasm starts about 40 ms sooner, for about 45 MiB of memory while idle.',
      },
    },
  },
  // "off" trades ~40 ms per Wasm start for the ~45 MiB of an idle host process.
  create: (s) => new WasmRuntime({ spareHost: !isOff(s.spareHost) }),
}
