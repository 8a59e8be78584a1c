import { existsSync, readdirSync, statSync } from 'node:fs'
import { basename } from 'node:path'
import type Docker from 'dockerode'
import { WorldbenchError } from '../../core/errors.ts'
import type { Artifact, Progress } from '../../core/runtime.ts'
import type { Workload } from '../../core/world/schema.ts'
import { BuildTracker, PullTracker, type StreamMessage } from './build-progress.ts'
import { engineMessage, statusOf } from './engine-errors.ts'

/** A local image if there is one; else build it from the workload's context; else pull it. */
export async function prepareImage(docker: Docker, w: Workload, progress: Progress): Promise<Artifact> {
  const c = w.container
  if (!c)
    throw new WorldbenchError(
      'BAD_WORKLOAD',
      `${w.name} has no "container" section.`,
      'Add one with at least an "image".',
    )
  const local = await inspectImage(docker, c.image)
  if (local) {
    progress({ step: 'image', percent: 100, message: `Using local image ${c.image}` })
    return local
  }
  if (c.build) {
    await buildImage(docker, c.image, c.build, c.dockerfile, c.buildArgs, progress)
  } else {
    await pullImage(docker, c.image, progress)
  }
  const built = await inspectImage(docker, c.image)
  if (!built)
    throw new WorldbenchError(
      'IMAGE_NOT_FOUND',
      `Image ${c.image} is still missing after ${c.build ? 'building' : 'pulling'} it.`,
      'Check the engine log; try "docker images".',
    )
  return built
}

export async function inspectImage(docker: Docker, name: string): Promise<Artifact | undefined> {
  try {
    const info = await docker.getImage(name).inspect()
    return {
      kind: 'container',
      ref: info.Id,
      bytes: info.Size,
      details: { image: name, created: info.Created },
    }
  } catch (err) {
    if (statusOf(err) === 404) return undefined
    throw err
  }
}

async function buildImage(
  docker: Docker,
  tag: string,
  context: string,
  dockerfile: string | undefined,
  buildArgs: Record<string, string> | undefined,
  progress: Progress,
): Promise<void> {
  if (!existsSync(context) || !statSync(context).isDirectory()) {
    throw new WorldbenchError(
      'BUILD_CONTEXT_MISSING',
      `The build context ${context} of image ${tag} is not a folder.`,
      'Fix "container.build" in the world file (it is relative to the world file).',
    )
  }
  progress({ step: 'build', percent: 0, message: `Building ${tag} from ${context}` })
  const tracker = new BuildTracker()
  const opts: Record<string, unknown> = { t: tag, rm: true, forcerm: true }
  if (dockerfile) opts.dockerfile = dockerfile
  if (buildArgs) opts.buildargs = buildArgs
  // dockerode tars the listed entries with tar-fs (honouring .dockerignore) and gzips them.
  const stream = await docker.buildImage({ context, src: readdirSync(context) }, opts)
  await follow(docker, stream, (msg) => {
    const p = tracker.feed(msg)
    if (p) progress(p)
  })
  if (tracker.error !== undefined) {
    const step = tracker.step || 'the first step'
    const output = tracker.stepOutput.join('\n')
    throw new WorldbenchError(
      'BUILD_FAILED',
      `Building image ${tag} from ${basename(context)}/ failed at ${step}: ${tracker.error}`,
      `Fix that step of ${dockerfile ?? 'the Dockerfile'} in ${context}.${output ? `\nIts output:\n${output}` : ''}`,
      { step, output: tracker.stepOutput, error: tracker.error, context },
    )
  }
  progress({ step: 'build', percent: 100, message: `Built ${tag}` })
}

async function pullImage(docker: Docker, image: string, progress: Progress): Promise<void> {
  const notFound = (why: string) =>
    new WorldbenchError(
      'IMAGE_NOT_FOUND',
      `Image ${image} is not on this engine and could not be pulled: ${why}`,
      'Give the workload a build context ("container.build: ./folder-with-Dockerfile"), or load the image yourself ("docker pull", "docker load", "docker build -t …").',
      { image },
    )
  progress({ step: 'pull', percent: 0, message: `Pulling ${image}` })
  const tracker = new PullTracker()
  try {
    const stream = await docker.pull(image)
    await follow(docker, stream, (msg) => {
      const p = tracker.feed(msg)
      if (p) progress(p)
    })
  } catch (err) {
    throw notFound(engineMessage(err))
  }
  if (tracker.error !== undefined) throw notFound(tracker.error)
}

function follow(
  docker: Docker,
  stream: NodeJS.ReadableStream,
  onMessage: (m: StreamMessage) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    // Transport errors end here; the engine's own errors arrive as JSON messages in onMessage.
    docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve()), onMessage)
  })
}
