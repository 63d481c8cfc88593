// Turns zod issues into the problems a user reads: one per wrong value, at its dotted path, in YAML words
// ("a list", "a mapping"), with a did-you-mean for unknown keys and enum values. Known keys come from walking the
// schema along the path, so the suggestion always names a key that is valid right there.
import type { z } from 'zod';
import { didYouMean } from './did-you-mean.ts';
import { type ConfigPath, describeValue, isPlainObject, valueAt } from './dotted-path.ts';
import type { PathProblem } from './interpolate.ts';

type Issue = z.core.$ZodIssue;
type AnySchema = z.core.$ZodType;
interface Def {
  type: string;
  [k: string]: unknown;
}

const def = (s: AnySchema): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The schema that validates the value at `path` (following the data through unions), if it can be told. */
export function schemaAt(schema: AnySchema, data: unknown, path: ConfigPath): AnySchema | undefined {
  let cur: AnySchema | undefined = unwrap(schema, data);
  let value = data;
  for (const seg of path) {
    if (!cur) return undefined;
    const d = def(cur);
    value = valueAt(value, [seg]);
    if (d.type === 'object') cur = (d.shape as Record<string, AnySchema>)[seg];
    else if (d.type === 'record') cur = d.valueType as AnySchema;
    else if (d.type === 'array') cur = d.element as AnySchema;
    else return undefined;
    cur = cur && unwrap(cur, value);
  }
  return cur;
}

/** Looks through wrappers (optional, default, pipe...) and picks the union member the data selects. */
function unwrap(schema: AnySchema, value: unknown): AnySchema {
  let cur = schema;
  for (;;) {
    const d = def(cur);
    if ('innerType' in d) cur = d.innerType as AnySchema;
    else if (d.type === 'pipe') cur = d.in as AnySchema;
    else if (d.type === 'union' && typeof d.discriminator === 'string' && isPlainObject(value)) {
      const options = d.options as AnySchema[];
      const tag = value[d.discriminator];
      const pick = options.find((o) => literalValues(o, d.discriminator as string).includes(tag));
      if (!pick) return cur;
      cur = pick;
    } else return cur;
  }
}

function literalValues(option: AnySchema, key: string): unknown[] {
  const field = (def(option).shape as Record<string, AnySchema> | undefined)?.[key];
  return field ? ((def(field).values as unknown[] | undefined) ?? []) : [];
}

/** Keys a mapping at this place may have: an object's fields, or an enum-keyed record's values. */
export function knownKeys(schema: AnySchema | undefined): string[] {
  if (!schema) return [];
  const d = def(schema);
  if (d.type === 'object') return Object.keys(d.shape as object);
  if (d.type === 'record') {
    const k = def(d.keyType as AnySchema);
    if (k.type === 'enum') return Object.values(k.entries as Record<string, string>);
  }
  return [];
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
};

function isMissing(data: unknown, path: readonly PropertyKey[]): boolean {
  return (
    path.length > 0 && valueAt(data, path) === undefined && isPlainObject(valueAt(data, path.slice(0, -1)))
  );
}

function oneOf(values: readonly unknown[], got: unknown): string {
  const list = values.map((v) => String(v)).join(', ');
  if (values.length === 1) return `expected ${JSON.stringify(values[0])}, got ${describeValue(got)}`;
  if (typeof got !== 'string') return `expected one of: ${list}; got ${describeValue(got)}`;
  return `${JSON.stringify(got)} is not one of: ${list}${didYouMean(got, values.map(String))}`;
}

function issueMessage(issue: Issue, data: unknown): string {
  const got = valueAt(data, issue.path);
  switch (issue.code) {
    case 'invalid_type': {
      const want = TYPE_WORDS[issue.expected] ?? issue.expected;
      if (isMissing(data, issue.path)) return `required key is missing (expected ${want})`;
      const quote = issue.expected === 'string' && typeof got === 'number' ? ' (put it in quotes)' : '';
      return `expected ${want}, got ${describeValue(got)}${quote}`;
    }
    case 'invalid_value':
      if (isMissing(data, issue.path)) return `required key is missing (one of: ${issue.values.join(', ')})`;
      return oneOf(issue.values, got);
    case 'invalid_union': {
      const options = (issue as { options?: unknown[] }).options;
      if (!options) return issue.message;
      if (isMissing(data, issue.path)) return `required key is missing (one of: ${options.join(', ')})`;
      return oneOf(options, got);
    }
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const word = issue.code === 'too_small' ? 'at least' : 'at most';
      if (issue.origin === 'array') return `must have ${word} ${bound} item${Number(bound) === 1 ? '' : 's'}`;
      if (issue.origin === 'string')
        return Number(bound) === 1 && issue.code === 'too_small'
          ? 'must not be empty'
          : `must be ${word} ${bound} characters`;
      return `must be ${word} ${bound}, got ${describeValue(got)}`;
    }
    case 'invalid_key':
      return `key ${JSON.stringify(String(issue.path.at(-1)))}: ${issue.issues.map((i) => i.message).join('; ')}`;
    default:
      return issue.message;
  }
}

export function zodProblems(schema: AnySchema, data: unknown, issues: readonly Issue[]): PathProblem[] {
  const out: PathProblem[] = [];
  for (const issue of issues) {
    const path = issue.path as ConfigPath;
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(schemaAt(schema, data, path));
      for (const key of issue.keys) {
        const hint = didYouMean(key, known) || (known.length ? ` (known keys: ${known.join(', ')})` : '');
        out.push({ path: [...path, key], message: `unknown key "${key}"${hint}` });
      }
    } else {
      out.push({ path, message: issueMessage(issue, data) });
    }
  }
  return out;
}
