// Checks a rendered Kubernetes object against the API schema that @kubernetes/client-node ships: every generated
// model class carries its OpenAPI attribute map (JSON name, type, format). We walk the object along those maps and
// report unknown fields (with a did-you-mean) and mistyped values, e.g. `cpu: 2` where a quantity string belongs.
// The models are imported from the package's generated folder: its root also loads undici 8, which needs Node 22.
import * as models from '@kubernetes/client-node/dist/gen/models/all.js';
import { didYouMean } from '../../config/did-you-mean.ts';

interface Attribute {
  name: string;
  baseName: string;
  type: string;
  format: string;
}
interface Model {
  getAttributeTypeMap(): Attribute[];
}

export interface SchemaProblem {
  /** Dotted path with [i] for list items: spec.template.spec.containers[0].image */
  path: string;
  message: string;
}

/**
 * Fields the OpenAPI spec marks required, for the types a Job uses. The generated attribute maps do not carry
 * `required`, so the list is kept here (from the Kubernetes 1.36 OpenAPI definitions).
 */
const REQUIRED: Record<string, string[]> = {
  V1JobSpec: ['template'],
  V1PodSpec: ['containers'],
  V1Container: ['name'],
  V1EnvVar: ['name'],
  V1SecretKeySelector: ['key'],
  V1ConfigMapKeySelector: ['key'],
  V1Volume: ['name'],
  V1VolumeMount: ['name', 'mountPath'],
  V1HostPathVolumeSource: ['path'],
  V1KeyToPath: ['key', 'path'],
};

const PRIMITIVES = new Set(['string', 'number', 'boolean', 'any', 'Date', 'IntOrString']);

function modelOf(type: string): Model | undefined {
  const m = (models as Record<string, unknown>)[type] as Partial<Model> | undefined;
  return typeof m?.getAttributeTypeMap === 'function' ? (m as Model) : undefined;
}

/** True when `type` names something the validator understands (a primitive, a container of one, or a model). */
export function knownType(type: string): boolean {
  const arr = /^Array<(.+)>$/.exec(type);
  if (arr) return knownType(arr[1]!);
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return knownType(map[1]!);
  return PRIMITIVES.has(type) || modelOf(type) !== undefined;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (isPlainObject(v)) return 'a map';
  return `${typeof v} ${JSON.stringify(v)}`;
}

export function validateAgainst(value: unknown, type: string, path = '', format = ''): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  const bad = (expected: string) => out.push({ path, message: `expected ${expected}, got ${kindOf(value)}` });
  const arr = /^Array<(.+)>$/.exec(type);
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (arr) {
    if (!Array.isArray(value)) bad('a list');
    else value.forEach((item, i) => out.push(...validateAgainst(item, arr[1]!, `${path}[${i}]`)));
  } else if (map) {
    if (!isPlainObject(value)) bad('a map');
    else
      for (const [k, v] of Object.entries(value))
        out.push(...validateAgainst(v, map[1]!, path ? `${path}.${k}` : k));
  } else if (type === 'any') {
    // anything goes
  } else if (type === 'string') {
    if (typeof value !== 'string') bad('a string');
  } else if (type === 'boolean') {
    if (typeof value !== 'boolean') bad('true or false');
  } else if (type === 'number') {
    const integer = format === 'int32' || format === 'int64';
    if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value)))
      bad(integer ? 'a whole number' : 'a number');
  } else if (type === 'IntOrString') {
    if (typeof value !== 'string' && !(typeof value === 'number' && Number.isInteger(value)))
      bad('a whole number or a string');
  } else if (type === 'Date') {
    if (!(value instanceof Date) && !(typeof value === 'string' && !Number.isNaN(Date.parse(value))))
      bad('a date-time');
  } else {
    const model = modelOf(type);
    if (!model) out.push({ path, message: `the schema has no type ${type}` });
    else if (!isPlainObject(value)) bad(`a map (${type})`);
    else {
      const attrs = model.getAttributeTypeMap();
      const byName = new Map(attrs.map((a) => [a.baseName, a]));
      for (const [k, v] of Object.entries(value)) {
        const p = path ? `${path}.${k}` : k;
        const a = byName.get(k);
        if (!a) out.push({ path: p, message: `unknown field in ${type}${didYouMean(k, byName.keys())}` });
        else if (v !== undefined && v !== null) out.push(...validateAgainst(v, a.type, p, a.format));
      }
      for (const r of REQUIRED[type] ?? [])
        if (value[r] === undefined || value[r] === null)
          out.push({ path: path ? `${path}.${r}` : r, message: `required by ${type}` });
    }
  }
  return out;
}

/** A batch/v1 Job: its apiVersion and kind, then every field against V1Job. */
export function validateJob(job: unknown): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  if (isPlainObject(job)) {
    if (job.apiVersion !== 'batch/v1') out.push({ path: 'apiVersion', message: 'must be "batch/v1"' });
    if (job.kind !== 'Job') out.push({ path: 'kind', message: 'must be "Job"' });
  }
  return [...out, ...validateAgainst(job, 'V1Job')];
}
