// One config file from text to typed value: YAML, checks of the text as written, ${VAR} interpolation, the zod
// schema, then cross-field checks on the interpolated data. Every problem found is kept, listed in file order;
// a problem at a path (an unset variable, a literal secret) hides the schema's complaint about the same value.
// A file that is not a YAML mapping is refused by its name alone: nothing of its text is shown (it may be any
// file a symlink or a typo pointed at).
import type { z } from 'zod';
import type { Problem } from '../errors.ts';
import { formatPath, isPlainObject } from './dotted-path.ts';
import { interpolateEnv, type PathProblem } from './interpolate.ts';
import { offsetOf, readYamlFile } from './yaml-file.ts';
import { knownKeys, schemaAt, zodProblems } from './zod-problems.ts';

export type Env = Record<string, string | undefined>;

export interface FileChecks {
  /** On the data as written, before interpolation. */
  raw?: (raw: unknown) => PathProblem[];
  /** On the interpolated data, whether or not the schema passed. */
  data?: (data: unknown) => PathProblem[];
  /** The folder the file must really be in, symlinks resolved (the config folder it was found in). */
  within?: string;
}

export interface FileResult<T> {
  value?: T;
  problems: Problem[];
}

export async function validateFile<S extends z.ZodType>(
  file: string,
  schema: S,
  env: Env,
  checks: FileChecks = {},
): Promise<FileResult<z.output<S>>> {
  let read: Awaited<ReturnType<typeof readYamlFile>>;
  try {
    read = await readYamlFile(file, { within: checks.within });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? 'file not found' : `cannot read: ${(err as Error).message}`;
    return { problems: [{ file, path: '', message }] };
  }
  if (!read.ok) return { problems: read.problems };
  if (!isPlainObject(read.data))
    return { problems: [{ file, path: '', message: `not a YAML mapping (${shapeOf(read.data)})` }] };
  if (notConfigKeys(schema, read.data))
    return {
      problems: [{ file, path: '', message: 'not a YAML mapping of config keys (no key is one we know)' }],
    };

  const interpolated = interpolateEnv(read.data, env);
  const first = [...(checks.raw?.(read.data) ?? []), ...interpolated.problems];
  const parsed = schema.safeParse(interpolated.value);
  const later = [
    ...(parsed.success ? [] : zodProblems(schema, interpolated.value, parsed.error.issues)),
    ...(checks.data?.(interpolated.value) ?? []),
  ];
  const taken = new Set(first.map((p) => formatPath(p.path)));
  const all = [...first, ...later.filter((p) => !taken.has(formatPath(p.path)))];

  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const { p } of all.map((p, i) => ({ p, i, at: offsetOf(read.doc, p.path) })).sort(byPlace)) {
    const problem = { file, path: formatPath(p.path), message: p.message };
    const key = `${problem.path}\0${problem.message}`;
    if (!seen.has(key)) problems.push(problem);
    seen.add(key);
  }
  return problems.length || !parsed.success ? { problems } : { value: parsed.data, problems };
}

/** File order; problems at one place keep the order they were found in. */
function byPlace(a: { i: number; at: number }, b: { i: number; at: number }): number {
  return a.at - b.at || a.i - b.i;
}

/** Lines of `a:b:c:` (/etc/shadow) parse as a mapping of odd keys: with no known key and one that could never be
 * a config key, the file is some other file, and its keys (its lines) are not listed back as unknown keys. */
function notConfigKeys(schema: z.ZodType, data: Record<string, unknown>): boolean {
  const keys = Object.keys(data);
  const known = new Set(knownKeys(schemaAt(schema, data, [])));
  return !keys.some((k) => known.has(k)) && keys.some((k) => !/^[A-Za-z_][A-Za-z0-9_-]*$/.test(k));
}

/** What a top-level value is, without any of it: a file's content is never echoed back. */
function shapeOf(v: unknown): string {
  if (v === null || v === undefined) return 'the file is empty';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'string' ? 'text' : `a ${typeof v}`;
}
