import type { InstanceInfo } from '../../contract/api.ts'
import { api } from '../api.ts'
import { act } from '../lib/toasts.ts'
import { Button } from './ui.tsx'

/** Start/Remove for a stopped instance, Restart/Stop for a live one; only what applies is enabled. */
export function InstanceActions({
  instance: i,
  onStarted,
}: {
  instance: InstanceInfo
  /** Called with the new instance after Start or Restart (it has a new id). */
  onStarted?: (next: InstanceInfo) => void
}) {
  const busy = i.state === 'starting' || i.state === 'stopping' || i.state === 'preparing'
  const started = (next: InstanceInfo | undefined) => next && onStarted?.(next)
  if (i.state === 'stopped')
    return (
      <div className="flex justify-end gap-1">
        <Button
          variant="primary"
          onClick={() =>
            void act(`Started ${i.workload}`, () => api.startInstance({ id: i.id })).then(started)
          }
          label={`Start ${i.workload}`}
        >
          Start
        </Button>
        <Button
          onClick={() => void act(`Removed ${i.workload}`, () => api.removeInstance({ id: i.id }))}
          label={`Remove ${i.workload}`}
        >
          Remove
        </Button>
      </div>
    )
  return (
    <div className="flex justify-end gap-1">
      <Button
        disabled={busy}
        onClick={() =>
          void act(`Restarted ${i.workload}`, () => api.restartInstance({ id: i.id })).then(started)
        }
        label={`Restart ${i.workload}`}
      >
        Restart
      </Button>
      <Button
        variant="danger"
        disabled={i.state === 'stopping'}
        onClick={() => void act(`Stopped ${i.workload}`, () => api.stopInstance({ id: i.id }))}
        label={`Stop ${i.workload}`}
      >
        Stop
      </Button>
    </div>
  )
}
