import { useEffect, useState } from 'react'
import type { KindInfo } from '../../contract/api.ts'
import { api } from '../api.ts'

let known: KindInfo[] | undefined
let loading: Promise<KindInfo[]> | undefined

/**
 * The kinds the service has, from its runtime descriptors (asked once per page load): pages list
 * kinds, their settings and what they cannot measure from this instead of naming them.
 */
export function useKinds(): KindInfo[] {
  const [kinds, setKinds] = useState<KindInfo[]>(known ?? [])
  useEffect(() => {
    if (known) return
    loading ??= api.kinds().then((k) => {
      known = k
      return k
    })
    loading.then(setKinds, () => {
      loading = undefined
    })
  }, [])
  return kinds
}
