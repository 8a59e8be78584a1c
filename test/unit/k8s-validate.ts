import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv, type ValidateFunction } from 'ajv'
import { Deployment } from 'kubernetes-models/apps/v1'
import { PersistentVolumeClaim, Service } from 'kubernetes-models/v1'

/**
 * Validates Kubernetes objects against official schemas: built-ins through kubernetes-models, the
 * KubeVirt and SpinKube custom resources against their CRD schemas (kept outside the repository,
 * in ../shared/k8s-schemas; see its README).
 */
export const CRD_DIR = join(import.meta.dirname, '..', '..', '..', 'shared', 'k8s-schemas')

const BUILT_IN: Record<string, new (o: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
}

const crds = new Map<string, ValidateFunction>()

function crdValidator(apiVersion: string, kind: string): ValidateFunction {
  const key = `${apiVersion}/${kind}`
  const known = crds.get(key)
  if (known) return known
  const [group, version] = apiVersion.split('/')
  const schema = JSON.parse(readFileSync(join(CRD_DIR, `${group}_${version}_${kind}.json`), 'utf8'))
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false })
  const v = ajv.compile(strictFields(schema) as object)
  crds.set(key, v)
  return v
}

/**
 * The API server rejects unknown fields (kubectl's default field validation is Strict), but a CRD
 * schema says so only by listing properties: close every object that lists them and does not
 * preserve unknown fields.
 */
function strictFields(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strictFields)
  if (node === null || typeof node !== 'object') return node
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(node))
    out[k] = k === 'properties' ? mapValues(v, strictFields) : strictFields(v)
  if (
    out.properties &&
    out.additionalProperties === undefined &&
    !out['x-kubernetes-preserve-unknown-fields']
  )
    out.additionalProperties = false
  return out
}

const mapValues = (o: unknown, f: (v: unknown) => unknown) =>
  Object.fromEntries(Object.entries(o as Record<string, unknown>).map(([k, v]) => [k, f(v)]))

/** Problems with one object; empty when the schemas accept it. */
export function k8sProblems(obj: { apiVersion: string; kind: string }): string[] {
  const Model = BUILT_IN[`${obj.apiVersion}/${obj.kind}`]
  if (Model) {
    try {
      new Model(obj as never).validate()
      return []
    } catch (err) {
      return [(err as Error).message]
    }
  }
  const v = crdValidator(obj.apiVersion, obj.kind)
  return v(obj)
    ? []
    : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`)
}
