import { z } from 'zod'
import type { RuntimeDescriptor } from '../../core/runtime-descriptor.ts'
import { containerFormat } from '../../core/world/kinds/container.ts'
import { ContainerRuntime } from './index.ts'

const Settings = z.strictObject({
  socket: z.string().max(4096).optional(),
})

export const containerDescriptor: RuntimeDescriptor<typeof Settings> = {
  kind: 'container',
  format: containerFormat,
  settings: Settings,
  display: {
    label: 'Container',
    plural: 'containers',
    notMeasured: {},
    settings: {
      socket: {
        label: 'Container engine socket',
        control: 'engine-path',
        placeholder: 'found like the Docker CLI does',
        help: 'A Docker or Podman API socket, e.g. /run/podman/podman.sock, chosen in the desktop app (Choose…). Empty: DOCKER_HOST, the Docker context, then the usual sockets.',
      },
    },
  },
  create: (s) => new ContainerRuntime(s.socket ? { socketPath: s.socket } : {}),
}
