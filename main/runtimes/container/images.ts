import type Docker from 'dockerode'
import type { ContainerImageInfo } from '../../../contract/api.ts'
import { WorldbenchError } from '../../core/errors.ts'

/** Every image on the engine: size, age, tags, and which containers (running or not) use it. */
export async function listImages(docker: Docker): Promise<ContainerImageInfo[]> {
  const [images, containers] = await Promise.all([docker.listImages(), docker.listContainers({ all: true })])
  return images
    .map((img) => ({
      id: img.Id,
      tags: (img.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
      bytes: img.Size,
      createdAt: img.Created * 1000,
      usedBy: containers
        .filter((c) => c.ImageID === img.Id)
        .map((c) => `${(c.Names[0] ?? c.Id).replace(/^\//, '')} (${c.State})`),
    }))
    .sort((a, b) => b.bytes - a.bytes)
}

export async function removeImage(docker: Docker, id: string): Promise<void> {
  try {
    await docker.getImage(id).remove()
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode
    if (status === 409 && /multiple repositories/.test(String((err as Error).message)))
      throw new WorldbenchError(
        'IMAGE_HAS_TAGS',
        `Image ${id.slice(7, 19)} has several tags.`,
        'Remove the extra tags first (docker rmi NAME:TAG), then the image.',
      )
    if (status === 409)
      throw new WorldbenchError(
        'IMAGE_IN_USE',
        `Image ${id.slice(7, 19)} is used by a container.`,
        'Stop and remove the containers that use it (shown under "used by"), then remove it.',
      )
    if (status === 404)
      throw new WorldbenchError(
        'NO_SUCH_IMAGE',
        `There is no image ${id.slice(7, 19)}.`,
        'List images again.',
      )
    throw err
  }
}

/** `docker image prune`: dangling images only (untagged and unused); returns bytes freed. */
export async function pruneImages(docker: Docker): Promise<{ removed: number; bytes: number }> {
  const r = await docker.pruneImages()
  return { removed: r.ImagesDeleted?.length ?? 0, bytes: r.SpaceReclaimed ?? 0 }
}
