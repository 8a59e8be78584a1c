import { describe, expect, it } from 'vitest'
import { listeningPorts } from '../../main/runtimes/container/listening.ts'

describe('listening ports from /proc/<pid>/net/tcp', () => {
  it('keeps LISTEN sockets only, IPv4 and IPv6 layouts alike', () => {
    const v4 = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1',
      '   1: 0100007F:0050 0100007F:D2A4 01 00000000:00000000 00:00000000 00000000     0        0 2 1',
    ].join('\n')
    const v6 = [
      '  sl  local_address                         remote_address                        st',
      '   0: 00000000000000000000000000000000:0BB8 00000000000000000000000000000000:0000 0A 0 0',
    ].join('\n')
    expect([...listeningPorts(v4)]).toEqual([8080])
    expect([...listeningPorts(v6)]).toEqual([3000])
    expect(listeningPorts('header only\n').size).toBe(0)
  })
})
