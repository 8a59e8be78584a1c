/**
 * What happens to each Compose service key Worldbench does not map. Keys that would give a workload
 * more power over the host than Worldbench grants are errors: starting without them would run
 * something other than what the file asks for. Keys that only tune or label are warnings: the
 * workload runs the same, without them.
 */
export const MAPPED_SERVICE_KEYS = new Set([
  'build',
  'image',
  'command',
  'entrypoint',
  'environment',
  'env_file',
  'ports',
  'expose',
  'volumes',
  'mem_limit',
  'cpus',
  'deploy',
  'healthcheck',
  'depends_on',
  'restart',
  'profiles',
  'init',
  'container_name',
  'networks',
  'x-worldbench',
])

export const REFUSED_SERVICE_KEYS: Record<string, string> = {
  privileged: 'Worldbench never runs privileged containers',
  cap_add: 'Worldbench grants no extra Linux capabilities',
  devices: 'Worldbench passes no host devices into containers',
  device_cgroup_rules: 'Worldbench passes no host devices into containers',
  network_mode: 'containers get their own network; host, none and container: modes are not supported',
  pid: "containers never share the host's or another container's PID namespace",
  ipc: "containers never share the host's or another container's IPC namespace",
  userns_mode: 'user namespace modes are not supported',
  security_opt: 'security options are not supported (the engine defaults apply)',
  volumes_from: 'mount the same named volume in both services instead',
  secrets: 'secrets are not supported yet; pass the value through env_file for a local run',
  configs: 'configs are not supported yet; mount the file with a bind volume instead',
  extends: 'extends is not supported; copy the shared keys into the service',
}

/** Keys newer than the bundled compose-spec schema: not checked by it, and ignored with a warning. */
export const NEWER_SERVICE_KEYS = new Set([
  'develop',
  'annotations',
  'attach',
  'gpus',
  'post_start',
  'pre_stop',
  'provider',
  'models',
  'uts',
  'label_file',
  'use_api_socket',
])

export const NEWER_TOP_KEYS = new Set(['name', 'include', 'models'])
