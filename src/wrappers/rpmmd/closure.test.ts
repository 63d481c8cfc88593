import { describe, expect, it } from 'vitest';
import { type ClosureRepo, repoclosure } from './closure.ts';
import { formatRepoclosure, repoclosureSummary } from './closure-format.ts';
import { parseFilelists } from './filelists.ts';
import { parsePrimary } from './primary.ts';
import { type FakePackage, filelistsXml, primaryXml } from './test-repo.ts';
import type { Package } from './types.ts';

async function* once(s: string): AsyncGenerator<string> {
  yield s;
}

/** A repo built from fake packages through the real parsers; counts how often filelists is streamed. */
async function repo(id: string, pkgs: FakePackage[]): Promise<ClosureRepo & { filelistLoads: number }> {
  const packages: Package[] = [];
  for await (const p of parsePrimary(once(primaryXml(pkgs)))) packages.push(p);
  const r = {
    id,
    packages,
    filelistLoads: 0,
    filelists: (o: { detachPaths: boolean }) => {
      r.filelistLoads++;
      return parseFilelists(once(filelistsXml(pkgs)), o);
    },
  };
  return r;
}

const unresolvedOf = (problems: Awaited<ReturnType<typeof repoclosure>>) =>
  Object.fromEntries(problems.map((p) => [p.package, p.unresolved]));

describe('repoclosure', () => {
  it('resolves versioned provides with rpm/libsolv range rules', async () => {
    const r = await repo('BaseOS', [
      {
        name: 'lib',
        version: '2.0',
        release: '3.el9',
        provides: ['libfoo = 1:1.5', 'virt'],
      },
      {
        name: 'app',
        requires: [
          'lib >= 2.0', // release missing in the requirement: matches
          'lib = 2.0',
          'lib > 2.0', // 2.0-3 is not > 2.0 when only the version is compared
          'lib < 2.0-4',
          'lib >= 2.0-4',
          'libfoo >= 1.9', // epoch 1 wins
          'libfoo < 1:1.0',
          'virt >= 99', // unversioned provide: every version
          'nothing',
        ],
      },
    ]);
    const res = await repoclosure({ check: [r], arch: 'x86_64' });
    expect(unresolvedOf(res)).toEqual({
      'app-1.0-1.noarch': ['lib > 2.0', 'lib >= 2.0-4', 'libfoo < 1:1.0', 'nothing'],
    });
  });

  it('skips rpmlib() and solvable: requirements and de-duplicates pre/non-pre entries', async () => {
    const r = await repo('R', [
      {
        name: 'a',
        requires: ['rpmlib(PayloadIsZstd) <= 5.4.18-1', 'solvable:foo', 'pre:missing', 'missing'],
      },
    ]);
    expect(await repoclosure({ check: [r], arch: 'x86_64' })).toEqual([
      { package: 'a-1.0-1.noarch', repo: 'R', unresolved: ['missing'] },
    ]);
  });

  it('finds files in primary first and reads filelists only for what is still missing', async () => {
    const pkgs: FakePackage[] = [
      {
        name: 'bash',
        arch: 'x86_64',
        files: ['/usr/bin/bash', '/usr/share/doc/bash/README'],
        dirs: ['/usr/share/doc/bash'],
      },
      { name: 'uses-bin', requires: ['/usr/bin/bash'] },
    ];
    const r1 = await repo('R', pkgs);
    expect(await repoclosure({ check: [r1], arch: 'x86_64' })).toEqual([]);
    expect(r1.filelistLoads).toBe(0);

    const r2 = await repo('R', [
      ...pkgs,
      {
        name: 'uses-doc',
        requires: ['/usr/share/doc/bash/README', '/usr/share/doc/bash', '/usr/share/nope'],
      },
    ]);
    expect(unresolvedOf(await repoclosure({ check: [r2], arch: 'x86_64' }))).toEqual({
      'uses-doc-1.0-1.noarch': ['/usr/share/nope'],
    });
    expect(r2.filelistLoads).toBe(1);
  });

  it('lets an explicit Provides: of a path satisfy a file requirement', async () => {
    const r = await repo('R', [
      { name: 'sh', provides: ['/bin/sh'] },
      { name: 'x', requires: ['/bin/sh'] },
    ]);
    expect(await repoclosure({ check: [r], arch: 'x86_64' })).toEqual([]);
    expect(r.filelistLoads).toBe(0);
  });

  it('evaluates rich dependencies as dnf does', async () => {
    const r = await repo('R', [
      { name: 'b' },
      { name: 'c', provides: ['cc'] },
      { name: 'bc', provides: ['b', 'c'] },
      { name: 'f', files: ['/usr/share/f/data'] },
      {
        name: 'user',
        requires: [
          '(b or x)',
          '(x or y or z)',
          '(b and x)', // libsolv: provided when either side is
          '(x if b)', // the condition is ignored; x is not provided
          '(x if b else c)',
          '(x unless b else y)',
          '(b with c)', // bc provides both
          '(cc with b)', // no single package
          '(b without c)', // b itself
          '(bc without bc)',
          '((x and y) or (b and z))',
          '(/usr/share/f/data with f)', // a file under "with" needs filelists
          '(x or y',
        ],
      },
    ]);
    const res = await repoclosure({ check: [r], arch: 'x86_64' });
    expect(unresolvedOf(res)).toEqual({
      'user-1.0-1.noarch': [
        '(bc without bc)',
        '(cc with b)',
        '(x if b)',
        '(x or y',
        '(x or y or z)',
        '(x unless b else y)',
      ],
    });
    expect(r.filelistLoads).toBe(1);
  });

  it('limits providers to compatible arches but checks every package, as dnf --forcearch does', async () => {
    const r = await repo('R', [
      {
        name: 'a64',
        arch: 'aarch64',
        provides: ['only-arm'],
        requires: ['missing-arm'],
      },
      { name: 'lib32', arch: 'i686', provides: ['only-i686'] },
      { name: 'src', arch: 'src', provides: ['only-src'] },
      {
        name: 'user',
        arch: 'x86_64',
        requires: ['only-arm', 'only-i686', 'only-src'],
      },
    ]);
    expect(unresolvedOf(await repoclosure({ check: [r], arch: 'x86_64' }))).toEqual({
      'a64-1.0-1.aarch64': ['missing-arm'],
      'user-1.0-1.x86_64': ['only-arm', 'only-src'],
    });
    expect(unresolvedOf(await repoclosure({ check: [r], arch: 'x86_64', multilib: false }))).toMatchObject({
      'user-1.0-1.x86_64': ['only-arm', 'only-i686', 'only-src'],
    });
    expect(
      unresolvedOf(
        await repoclosure({
          check: [r],
          arch: 'aarch64',
          checkArches: ['x86_64', 'noarch'],
        }),
      ),
    ).toEqual({ 'user-1.0-1.x86_64': ['only-i686', 'only-src'] });
  });

  it('with newest, checks and uses only the newest of each name.arch per repo', async () => {
    const r = await repo('R', [
      {
        name: 'g',
        arch: 'x86_64',
        version: '1.0',
        provides: ['old-only'],
        requires: ['miss1'],
      },
      { name: 'g', arch: 'x86_64', version: '2.0', requires: ['miss2'] },
      { name: 'g', arch: 'i686', version: '3.0', requires: ['miss3'] },
      { name: 'user', requires: ['old-only', 'g = 1.0', 'g = 3.0'] },
    ]);
    expect(unresolvedOf(await repoclosure({ check: [r], arch: 'x86_64' }))).toEqual({
      'g-1.0-1.x86_64': ['miss1'],
      'g-2.0-1.x86_64': ['miss2'],
      'g-3.0-1.i686': ['miss3'],
    });
    expect(unresolvedOf(await repoclosure({ check: [r], arch: 'x86_64', newest: true }))).toEqual({
      'g-2.0-1.x86_64': ['miss2'],
      'g-3.0-1.i686': ['miss3'],
      'user-1.0-1.noarch': ['g = 1.0', 'old-only'],
    });
  });

  it('uses lookaside repos to resolve without checking them', async () => {
    const base = await repo('BaseOS', [{ name: 'glibc', arch: 'x86_64', requires: ['broken-in-base'] }]);
    const app = await repo('AppStream', [{ name: 'node', arch: 'x86_64', requires: ['glibc'] }]);
    expect(await repoclosure({ check: [app], lookaside: [base], arch: 'x86_64' })).toEqual([]);
    expect(await repoclosure({ check: [app], arch: 'x86_64' })).toHaveLength(1);
  });

  it('sorts like dnf and prints its report', async () => {
    const r = await repo('BaseOS', [
      { name: 'b', version: '10', requires: ['z', 'm'] },
      { name: 'b', version: '9', requires: ['y'] },
      { name: 'a', epoch: '1', version: '1', arch: 'x86_64', requires: ['q'] },
    ]);
    const res = await repoclosure({ check: [r], arch: 'x86_64' });
    expect(res.map((p) => p.package)).toEqual(['a-1:1-1.x86_64', 'b-9-1.noarch', 'b-10-1.noarch']);
    expect(formatRepoclosure(res)).toBe(
      'package: a-1:1-1.x86_64 from BaseOS\n  unresolved deps (1):\n    q\n' +
        'package: b-9-1.noarch from BaseOS\n  unresolved deps (1):\n    y\n' +
        'package: b-10-1.noarch from BaseOS\n  unresolved deps (2):\n    m\n    z\n',
    );
    expect(repoclosureSummary(res)).toBe(
      'Error: Repoclosure ended with unresolved dependencies (4) across 3 packages.',
    );
    expect(repoclosureSummary([])).toBeUndefined();
  });

  it('adds the implicit self-provide libsolv adds even when the metadata lacks it', async () => {
    const [p] = (await repo('R', [{ name: 'x', version: '3' }])).packages;
    const bare: Package = { ...p!, provides: [] };
    const user = (await repo('R', [{ name: 'u', requires: ['x >= 2'] }])).packages[0]!;
    expect(
      await repoclosure({
        check: [{ id: 'R', packages: [bare, user] }],
        arch: 'x86_64',
      }),
    ).toEqual([]);
  });
});
