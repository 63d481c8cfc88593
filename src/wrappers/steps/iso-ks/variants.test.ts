import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../errors.ts';
import { defaultOutputName } from './batch.ts';
import { readVariants, VariantsError } from './variants.ts';

async function variantsFile(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'horno-variants-'));
  const file = join(dir, 'variants.yaml');
  await writeFile(file, text);
  return file;
}

const line = (p: { path: string; message: string }) => `${p.path || '(top level)'}: ${p.message}`;

/** Problems of a file that is no list at all: thrown at once. */
async function refusedWith(text: string) {
  const file = await variantsFile(text);
  const err = await readVariants(file).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(VariantsError);
  return (err as VariantsError).problems.map(line);
}

describe('variants.yaml', () => {
  it('reads a good list', async () => {
    const file = await variantsFile(
      '- name: deptA\n  ks: a.ks\n- name: deptB\n  ks: /abs/b.ks\n  volid: Rocky-9-deptB\n  output: b.iso\n',
    );
    const { variants, problems } = await readVariants(file);
    expect(problems).toEqual([]);
    expect(variants).toEqual([
      { name: 'deptA', ks: 'a.ks', index: 0 },
      { name: 'deptB', ks: '/abs/b.ks', volid: 'Rocky-9-deptB', output: 'b.iso', index: 1 },
    ]);
  });

  it('returns every schema problem with its dotted path and keeps the good entries', async () => {
    const file = await variantsFile(
      [
        '- name: dept A',
        '  ks: a.ks',
        '  volid: Rocky-9-with-a-volume-id-too-long',
        '- name: deptB',
        '  kss: b.ks',
        '  output: sub/b.iso',
        '- name: deptC',
        '  ks: c.ks',
        '  volid: 9',
        '- name: deptD',
        '  ks: d.ks',
        '',
      ].join('\n'),
    );
    const { variants, problems, problem } = await readVariants(file);
    expect(variants).toEqual([{ name: 'deptD', ks: 'd.ks', index: 3 }]);
    expect(problems.map(line)).toEqual([
      '[0].name: must be a plain name (letters, digits, . _ -, no spaces or slashes): it goes into the file name',
      '[0].volid: "Rocky-9-with-a-volume-id-too-long" is 33 characters; an ISO volume id holds at most 32',
      '[1].ks: required key is missing (expected a string)',
      '[1].kss: unknown key "kss" (did you mean "ks"?)',
      '[1].output: must be a file name, without folders (the folder is -o)',
      '[2].volid: expected a string, got a number (9) (put it in quotes)',
    ]);
    // later checks land in file order among them
    const later = problem([1, 'name'], 'x');
    expect(later.offset).toBeGreaterThan(problems[1]!.offset);
    expect(later.offset).toBeLessThan(problems[3]!.offset);
  });

  it('refuses at once a file that is no non-empty list', async () => {
    expect(await refusedWith('name: deptA\nks: a.ks\n')).toEqual([
      '(top level): expected a list, got a mapping',
    ]);
    expect(await refusedWith('[]\n')).toEqual(['(top level): must have at least 1 item']);
    expect(await refusedWith('')).toEqual(['(top level): expected a list, got null']);
  });

  it('reports YAML syntax errors with line and column', async () => {
    const file = await variantsFile('- name: a\n  ks: [\n');
    const err = (await readVariants(file).catch((e: unknown) => e)) as VariantsError;
    expect(err).toBeInstanceOf(VariantsError);
    expect(err.problems[0]!.file).toMatch(/variants\.yaml:\d+:\d+$/);
    expect(err.exitCode).toBe(2);
  });

  it('names a missing file', async () => {
    const err = await readVariants('/nonexistent/variants.yaml').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe('variants file /nonexistent/variants.yaml: no such file');
  });

  it('names outputs after the input ISO and the variant', () => {
    expect(defaultOutputName('/isos/Rocky-9.4-x86_64-boot.iso', 'deptA')).toBe(
      'Rocky-9.4-x86_64-boot-deptA.iso',
    );
    expect(defaultOutputName('disc', 'b')).toBe('disc-b.iso');
  });
});
