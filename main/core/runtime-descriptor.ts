import type { z } from 'zod'
import type { Kind, KindInfo, SettingInfo } from '../../contract/kinds.ts'
import { WorldbenchError } from './errors.ts'
import { logFailure } from './log.ts'
import type { Runtime } from './runtime.ts'
import type { KindFormat } from './world/kinds/kind-format.ts'

/**
 * Everything the service knows about one kind of runtime; each runtime folder exports one
 * (main/runtimes/<kind>/descriptor.ts) and main/runtimes/descriptors.ts lists them. The registry,
 * the settings, the Engines page and the world format are all read from here.
 */
export interface RuntimeDescriptor<S extends z.ZodObject = z.ZodObject> {
  kind: Kind
  /** The world file's `<kind>:` section, paths, checks and defaults (main/core/world/kinds/). */
  format: KindFormat
  /** The settings this runtime reads, named without the `<kind>.` prefix; unknown keys are refused. */
  settings: S
  /** How the fronts show the kind; its settings' labels, in the order of `settings`. */
  display: Omit<KindInfo, 'kind' | 'settings'> & {
    settings: Record<keyof z.output<S>, Omit<SettingInfo, 'key'>>
  }
  /** The real runtime, pointed at the engine the settings name (else discovered). */
  create(settings: z.output<S>): Runtime
}

/** The contract's view of a descriptor. */
export function kindInfo(d: RuntimeDescriptor): KindInfo {
  const { settings, ...display } = d.display
  return {
    kind: d.kind,
    ...display,
    settings: Object.entries(settings as Record<string, Omit<SettingInfo, 'key'>>).map(([name, s]) => ({
      key: `${d.kind}.${name}`,
      ...s,
    })),
  }
}

/** The schema of one of a descriptor's settings, by its key without the kind prefix. */
function fieldOf(d: RuntimeDescriptor, name: string): z.ZodType | undefined {
  // Own keys only: "wasm.__proto__" or "wasm.constructor" must not reach Object's properties.
  return Object.hasOwn(d.settings.shape, name) ? (d.settings.shape[name] as z.ZodType) : undefined
}

/** The descriptor a `<kind>.<name>` setting key belongs to, if any. */
export function descriptorOfSetting(
  descriptors: RuntimeDescriptor[],
  key: string,
): RuntimeDescriptor | undefined {
  return descriptors.find((d) => key.startsWith(`${d.kind}.`))
}

/**
 * The kind's settings out of all stored settings, typed by its schema. Stored values that no
 * longer fit (an older version's) are left out, so the runtime falls back to discovery.
 */
export function settingsFor<S extends z.ZodObject>(
  d: RuntimeDescriptor<S>,
  all: Record<string, unknown>,
): z.output<S> {
  const own: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(all)) {
    if (!key.startsWith(`${d.kind}.`)) continue
    const name = key.slice(d.kind.length + 1)
    const ok = fieldOf(d, name)?.safeParse(value)
    if (ok?.success) own[name] = ok.data
    else
      logFailure(
        `ignoring the stored setting ${key}`,
        new Error(ok ? ok.error.issues[0]!.message : 'not a setting of this kind'),
      )
  }
  return d.settings.parse(own)
}

/** The descriptor's runtime, configured from all stored settings. */
export function runtimeFrom(d: RuntimeDescriptor, all: Record<string, unknown>): Runtime {
  return d.create(settingsFor(d, all))
}

/** Refuses a `<kind>.<name>` key its kind does not have, or a value its schema does not take. */
export function checkSetting(descriptors: RuntimeDescriptor[], key: string, value: unknown): void {
  const d = descriptorOfSetting(descriptors, key)
  if (!d) return
  const name = key.slice(d.kind.length + 1)
  const field = fieldOf(d, name)
  const known = Object.keys(d.settings.shape).map((n) => `${d.kind}.${n}`)
  if (!field)
    throw new WorldbenchError(
      'SETTING_UNKNOWN',
      `"${key}" is not a setting of the ${d.kind} runtime.`,
      `Its settings are: ${known.join(', ')}.`,
    )
  const parsed = field.safeParse(value)
  if (!parsed.success)
    throw new WorldbenchError(
      'SETTING_INVALID',
      `"${key}" cannot be ${JSON.stringify(value)}: ${parsed.error.issues[0]!.message}.`,
      'See the Engines page for what each setting takes.',
    )
}
