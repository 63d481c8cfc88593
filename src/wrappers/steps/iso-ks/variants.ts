// variants.yaml for `iso-ks edit --batch`: a list of {name, ks, volid?, output?}, one kickstart ISO per entry
// (department A, department B ...). Read and checked whole: every problem comes back at once with its dotted path
// (`[1].ks`), in file order, schema and file checks together, and nothing is written while any is left.
import { z } from 'zod';
import { UsageError, type Problem } from '../../errors.ts';
import { formatPath, type ConfigPath } from '../../config/dotted-path.ts';
import { offsetOf, readYamlFile } from '../../config/yaml-file.ts';
import { zodProblems } from '../../config/zod-problems.ts';
import { volidProblem } from '../../iso/iso-ks-volid.ts';

const withProblem = (check: (v: string) => string | undefined) =>
  z.string().superRefine((v, ctx) => {
    const message = check(v);
    if (message) ctx.addIssue({ code: 'custom', message });
  });

export const IsoKsVariant = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, {
      message:
        'must be a plain name (letters, digits, . _ -, no spaces or slashes): it goes into the file name',
    }),
    /** Kickstart file, relative to variants.yaml. */
    ks: z.string().min(1),
    volid: withProblem(volidProblem).optional(),
    /** File name of the ISO in the output folder; default `<input name>-<name>.iso`. */
    output: z
      .string()
      .regex(/^[^/\\]+$/, { message: 'must be a file name, without folders (the folder is -o)' })
      .refine((v) => v !== '.' && v !== '..', { message: 'must be a file name' })
      .optional(),
  })
  .strict();
export type IsoKsVariant = z.infer<typeof IsoKsVariant>;

export const IsoKsVariants = z.array(IsoKsVariant).min(1);
export type IsoKsVariants = z.infer<typeof IsoKsVariants>;

/** Problems found in a variants file, listed as `file: path: message` in the order they appear in it. */
export class VariantsError extends UsageError {
  override readonly code = 'E_CONFIG';
  constructor(
    readonly file: string,
    readonly problems: Problem[],
  ) {
    super(
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in ${file}:\n` +
        problems.map((p) => `  ${p.file}: ${p.path || '(top level)'}: ${p.message}`).join('\n'),
      'fix every line above; nothing was written',
    );
  }
}

/** A problem at a place in the file; `offset` orders problems as they appear in it. */
export type LocatedProblem = Problem & { offset: number };

export interface ReadVariants {
  /** The entries that passed the schema, with their index in the list. */
  variants: (IsoKsVariant & { index: number })[];
  /** Schema problems of the other entries: the caller adds its own checks and reports all together. */
  problems: LocatedProblem[];
  /** A problem at a data path of this file, for checks made after the schema. */
  problem(path: ConfigPath, message: string): LocatedProblem;
}

/** Reads the file; one that is no list at all is refused at once, since nothing else can be checked in it. */
export async function readVariants(file: string): Promise<ReadVariants> {
  const read = await readYamlFile(file).catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`variants file ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  });
  if (!read.ok) throw new VariantsError(file, read.problems);
  const { doc } = read;
  const problem = (path: ConfigPath, message: string): LocatedProblem => ({
    file,
    path: formatPath(path),
    message,
    offset: offsetOf(doc, path),
  });
  const data = read.data ?? null;
  const list = z.array(z.unknown()).min(1).safeParse(data);
  if (!list.success)
    throw new VariantsError(
      file,
      zodProblems(IsoKsVariants, data, list.error.issues).map((p) => problem(p.path, p.message)),
    );
  const variants: ReadVariants['variants'] = [];
  const problems: LocatedProblem[] = [];
  list.data.forEach((item, index) => {
    const parsed = IsoKsVariant.safeParse(item);
    if (parsed.success) variants.push({ ...parsed.data, index });
    else
      for (const p of zodProblems(IsoKsVariant, item, parsed.error.issues))
        problems.push(problem([index, ...p.path], p.message));
  });
  return { variants, problems: sortByOffset(problems), problem };
}

export function sortByOffset<T extends { offset: number }>(problems: T[]): T[] {
  return [...problems].sort((a, b) => a.offset - b.offset);
}
