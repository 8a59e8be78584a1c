import { describe, expect, it } from 'vitest'
import { cgroupPaths } from '../../../main/runtimes/container/cgroup.ts'
import { helperOf } from '../../../main/runtimes/container/host-processes.ts'

const ID = 'c95a8a715f1caa9a549c3caac711282572cd3b6a9d2e16180d5e55ef5a27c242'
const ports = [{ host: 32768, bind: '127.0.0.1' }]

describe('container cost parsers', () => {
  it('finds the cgroup files of v1 (separate or joined controllers) and v2', () => {
    // As read from /proc/<pid>/cgroup of a container on Docker 20.10 with cgroupfs, cgroup v1.
    const v1 = `9:name=systemd:/docker/${ID}\n4:memory:/docker/${ID}\n2:cpuacct:/docker/${ID}\n1:cpu:/docker/${ID}\n0::/docker/${ID}\n`
    expect(cgroupPaths(v1)).toEqual({
      version: 1,
      memory: `/sys/fs/cgroup/memory/docker/${ID}`,
      cpu: `/sys/fs/cgroup/cpuacct/docker/${ID}`,
    })
    expect(cgroupPaths(`4:memory:/x\n3:cpu,cpuacct:/x\n`)?.cpu).toBe('/sys/fs/cgroup/cpuacct/x')
    expect(cgroupPaths(`0::/system.slice/docker-${ID}.scope\n`)).toEqual({
      version: 2,
      memory: `/sys/fs/cgroup/system.slice/docker-${ID}.scope`,
      cpu: `/sys/fs/cgroup/system.slice/docker-${ID}.scope`,
    })
    expect(cgroupPaths('')).toBeUndefined()
  })

  it("tells a container's shim, conmon and port proxies from everyone else's", () => {
    const shim = ['/usr/bin/containerd-shim-runc-v2', '-namespace', 'moby', '-id', ID, '-address', '/x.sock']
    expect(helperOf(shim, ID, ports)).toBe('containerd-shim-runc-v2')
    expect(helperOf(shim, 'another', ports)).toBeUndefined()
    const proxy = ['/usr/sbin/docker-proxy', '-proto', 'tcp', '-host-ip', '127.0.0.1', '-host-port', '32768']
    expect(helperOf(proxy, ID, ports)).toBe('docker-proxy :32768')
    expect(helperOf(proxy, ID, [{ host: 32769, bind: '127.0.0.1' }])).toBeUndefined()
    expect(helperOf(['/usr/bin/conmon', '--api-version', '1', '-c', ID, '-u', ID], ID, ports)).toBe('conmon')
    expect(helperOf(['/usr/bin/dockerd', '-id', ID], ID, ports)).toBeUndefined()
    expect(helperOf([], ID, ports)).toBeUndefined()
  })
})
