import { basename } from 'node:path'
import type { Workload } from '../world/schema.ts'

/** An image a cluster needs that only exists on this machine until someone pushes it. */
export interface ImageToPush {
  workload: string
  /** What the manifests name. */
  ref: string
  /** The local image (container builds) or the files the image is made of. */
  local?: string
  what: 'container image' | 'kernel containerDisk' | 'disk containerDisk' | 'Spin app' | 'Wasm OCI image'
  /** The files a FROM scratch image must hold, at their path in the image (VM boot files, Wasm modules). */
  files?: { from: string; to: string }[]
  /** How to push it by hand (argv lists, so they can be run as they are). */
  steps: string[][]
}

/** The image a workload's manifests name: under the registry when one is given. */
export function pushedRef(image: string, registry: string | undefined): string {
  if (!registry) return image
  const parts = image.split('/')
  // A first segment with a dot or colon is a registry host; the new registry replaces it.
  const repo = parts.length > 1 && /[.:]/.test(parts[0]!) ? parts.slice(1).join('/') : image
  return `${registry.replace(/\/+$/, '')}/${repo}`
}

/** The tag Worldbench gives an image it assembles from a workload's files. */
export const assembledImage = (w: Workload, suffix: string) => `worldbench/${w.world}-${w.name}-${suffix}:1`

export const bootPaths = { kernel: '/boot/vmlinuz', initrd: '/boot/initrd.img' }

/** A containerDisk image holds the disk at /disk/ (KubeVirt's convention). */
export const diskPath = (disk: string) => `/disk/${basename(disk)}`
