// Our native repoclosure against the real `dnf repoclosure` on the same repos, compared as sets of
// (package, repo, unresolved dep). The repos are built here with rpmbuild + createrepo_c (15 file-only
// packages) and are full of versioned, file, rich, arch, multilib and epoch edge cases. The fixture distro
// gets the same comparison in repoclosure-fixture-distro.test.ts.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatRepoclosure, type LoadedRepo, loadRepo, repoclosure } from '../../src/wrappers/rpmmd/index.ts';
import { run } from '../../src/wrappers/run/runner.ts';
import {
  createDnfSandbox,
  type DnfSandbox,
  dnfProblemKeys,
  ourProblemKeys,
  parseRepoclosure,
} from '../helpers/dnf.ts';

interface Sub {
  name: string;
  noarch?: boolean;
  /** "(pre): x" becomes Requires(pre): x. */
  requires?: string[];
  provides?: string[];
  /** Paths to create; a trailing "/" makes a directory, "@config "/"@ghost " a %config/%ghost file. */
  files?: string[];
}

interface SpecDef {
  name: string;
  version: string;
  epoch?: string;
  target: 'x86_64' | 'aarch64' | 'i686' | 'noarch';
  /** Subpackages (the main package has no %files, so only these are built). */
  subs: Sub[];
  /** Which repo each resulting RPM goes to (by subpackage name); default BaseOS. */
  repo?: Record<string, string>;
}

const SPECS: SpecDef[] = [
  {
    name: 'cl',
    version: '1.0',
    target: 'x86_64',
    repo: { 'cl-app': 'AppStream', 'cl-app-docs': 'AppStream' },
    subs: [
      {
        name: 'cl-base',
        noarch: true,
        provides: ['virt-base = 3.0', 'libfoo.so.1()(64bit)'],
        files: ['/usr/bin/cl-tool', '/usr/share/cl/', '/usr/share/cl/data.txt', '@config /etc/cl/base.conf'],
      },
      {
        name: 'cl-core',
        requires: [
          'virt-base >= 2.0',
          '/usr/bin/cl-tool',
          'cl-base = 1.0',
          'libfoo.so.1()(64bit)',
          'config(cl-base)',
          '/usr/share/cl',
        ],
        files: ['/usr/lib64/cl/core.txt'],
      },
      {
        name: 'cl-pre',
        noarch: true,
        requires: ['(pre): /usr/share/cl/data.txt', '(pre): pre-missing', '(post): /usr/bin/cl-tool'],
      },
      {
        name: 'cl-broken',
        noarch: true,
        requires: [
          'libdoesnotexist.so.1()(64bit)',
          'virt-base > 3.0',
          'virt-base < 3.0-1',
          '/usr/share/cl/missing.txt',
          'cl-core >= 1.0-2',
          'cl-core = 1.0-1.el9',
        ],
      },
      {
        name: 'cl-rich',
        noarch: true,
        requires: [
          '(cl-base or nothing-here)',
          '(nothing1 or nothing2 or nothing3)',
          '(cl-base and nothing3)',
          '(nothing4 if cl-base)',
          '(nothing5 if cl-base else cl-core)',
          '(nothing5 if cl-base else nothing6)',
          '(cl-base with virt-base)',
          '(cl-core with virt-base)',
          '(cl-base without cl-core)',
          '(cl-base without virt-base)',
          '((nothing6 and nothing7) or (cl-base and cl-core))',
          '((nothing6 and nothing7) or (nothing8 with nothing9))',
          '(/usr/share/cl/data.txt with cl-base)',
          '(/usr/share/cl/nope.txt or nothing10)',
          '(cl-base >= 0:1.0 or nothing11)',
          '(cl-base > 1.0 or nothing12)',
        ],
      },
      {
        name: 'cl-user',
        noarch: true,
        requires: [
          'old-only',
          'multi = 1.0',
          'multi >= 2.0',
          'epochy >= 1:1.0',
          'epochy < 0.9',
          'epochy = 2:0.5',
          'only-arm',
          'only-i686',
          'armonly(aarch-64)',
          'cl-core(x86-64)',
        ],
      },
      {
        name: 'cl-app',
        requires: ['cl-core', '(cl-base or x)', '/usr/bin/cl-tool', 'not-in-base >= 1', 'cl-app-docs'],
        files: ['/usr/bin/cl-app'],
      },
      {
        name: 'cl-app-docs',
        noarch: true,
        requires: ['cl-app = 1.0-1.el9', '/usr/share/cl/data.txt'],
      },
      {
        name: 'cl-range',
        noarch: true,
        provides: ['ranged >= 2.0', 'ranged-low < 1.0'],
        files: ['@ghost /var/log/cl-range.log', '/usr/sbin/cl-range'],
      },
      {
        name: 'cl-range-user',
        noarch: true,
        requires: [
          'ranged = 3.0',
          'ranged < 1.0',
          'ranged-low <= 0.5',
          'ranged-low > 1.0',
          '/var/log/cl-range.log',
          '/usr/sbin/cl-range',
          '/usr/sbin',
        ],
      },
    ],
  },
  {
    name: 'multi',
    version: '1.0',
    target: 'x86_64',
    subs: [{ name: 'multi', provides: ['old-only'], requires: ['missing-in-1.0'] }],
  },
  {
    name: 'multi',
    version: '2.0',
    target: 'x86_64',
    subs: [{ name: 'multi', requires: ['missing-in-2.0'] }],
  },
  {
    name: 'epochy',
    version: '0.5',
    epoch: '2',
    target: 'noarch',
    subs: [{ name: 'epochy', noarch: true }],
  },
  {
    name: 'armonly',
    version: '1.0',
    target: 'aarch64',
    subs: [
      {
        name: 'armonly',
        provides: ['only-arm'],
        requires: ['missing-arm', 'cl-base'],
      },
    ],
  },
  {
    name: 'lib32',
    version: '1.0',
    target: 'i686',
    subs: [{ name: 'lib32', provides: ['only-i686'], requires: ['missing-i686'] }],
  },
];

function renderSpec(s: SpecDef): string {
  const L = ['%global debug_package %{nil}', `Name: ${s.name}`];
  if (s.epoch) L.push(`Epoch: ${s.epoch}`);
  L.push(`Version: ${s.version}`, 'Release: 1.el9', 'Summary: repoclosure fixture', 'License: MIT');
  if (s.target === 'noarch') L.push('BuildArch: noarch');
  const deps = (sub: Sub) => {
    for (const r of sub.requires ?? []) {
      const ctx = /^\((pre|post)\): (.*)$/.exec(r);
      L.push(ctx ? `Requires(${ctx[1]}): ${ctx[2]}` : `Requires: ${r}`);
    }
    for (const p of sub.provides ?? []) L.push(`Provides: ${p}`);
  };
  const main = s.subs.find((sub) => sub.name === s.name);
  if (main) deps(main);
  L.push('', '%description', 'Repoclosure fixture.', '');
  for (const sub of s.subs) {
    if (sub === main) continue;
    L.push(`%package -n ${sub.name}`, `Summary: ${sub.name}`);
    if (sub.noarch) L.push('BuildArch: noarch');
    deps(sub);
    L.push(`%description -n ${sub.name}`, `${sub.name}.`, '');
  }
  L.push('%install');
  for (const sub of s.subs) {
    L.push(`mkdir -p "$RPM_BUILD_ROOT/usr/share/fixtures/${sub.name}"`);
    L.push(`echo ${sub.name} > "$RPM_BUILD_ROOT/usr/share/fixtures/${sub.name}/README"`);
    for (const f of files(sub).filter((x) => !x.startsWith('@ghost '))) {
      if (f.endsWith('/')) L.push(`mkdir -p "$RPM_BUILD_ROOT${f}"`);
      else L.push(`mkdir -p "$(dirname "$RPM_BUILD_ROOT${f}")"`, `echo data > "$RPM_BUILD_ROOT${f}"`);
    }
  }
  L.push('');
  for (const sub of s.subs) {
    L.push(sub.name === s.name ? '%files' : `%files -n ${sub.name}`, `/usr/share/fixtures/${sub.name}`);
    for (const f of sub.files ?? []) {
      if (f.startsWith('@config ')) L.push(`%config ${f.slice(8)}`);
      else if (f.startsWith('@ghost ')) L.push(`%ghost ${f.slice(7)}`);
      else if (f.endsWith('/')) L.push(`%dir ${f.slice(0, -1)}`);
      else L.push(f);
    }
    L.push('');
  }
  return `${L.join('\n')}\n%changelog\n* Tue Nov 14 2023 Fixture <fixture@example.invalid> - 1\n- fixture\n`;
}

function files(sub: Sub): string[] {
  return (sub.files ?? []).map((f) => (f.startsWith('@config ') ? f.slice(8) : f));
}

let work: string;
let sandbox: DnfSandbox;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'horno-repoclosure-'));
  sandbox = await createDnfSandbox({ parent: work });
});
afterAll(async () => {
  await sandbox?.cleanup();
  await rm(work, { recursive: true, force: true });
});

describe('repoclosure vs dnf on hand-built repos', () => {
  const trees: Record<string, string> = {};
  beforeAll(async () => {
    const top = join(work, 'rpmbuild');
    const home = join(work, 'home');
    await mkdir(home, { recursive: true });
    const limit = pLimit(2);
    await Promise.all(
      SPECS.map((s, i) =>
        limit(async () => {
          const spec = join(work, `${s.name}-${s.version}-${i}.spec`);
          await writeFile(spec, renderSpec(s));
          const argv = [
            'rpmbuild',
            '-bb',
            '--quiet',
            '--define',
            `_topdir ${top}`,
            '--define',
            '_binary_payload w3.gzdio',
          ];
          if (s.target !== 'noarch') argv.push('--target', s.target);
          await run([...argv, spec], {
            env: { HOME: home },
            logFile: join(work, 'rpmbuild.log'),
          });
        }),
      ),
    );
    const repoOf = new Map<string, string>();
    for (const s of SPECS) for (const sub of s.subs) repoOf.set(sub.name, s.repo?.[sub.name] ?? 'BaseOS');
    for (const repo of ['BaseOS', 'AppStream']) {
      trees[repo] = join(work, 'repos', repo);
      await mkdir(trees[repo]!, { recursive: true });
    }
    for (const arch of await readdir(join(top, 'RPMS'))) {
      for (const f of await readdir(join(top, 'RPMS', arch))) {
        const name = f.replace(/-[^-]+-[^-]+$/, '');
        const dest = join(trees[repoOf.get(name) ?? 'BaseOS']!, f);
        await run(['cp', '-p', join(top, 'RPMS', arch, f), dest]);
      }
    }
    for (const dir of Object.values(trees)) await run(['createrepo_c', '--quiet', '--no-database', dir]);
  });

  const CASES = [
    { arch: 'x86_64', newest: false },
    { arch: 'x86_64', newest: true },
    { arch: 'aarch64', newest: false },
    { arch: 'aarch64', newest: true },
  ];
  it.each(CASES)(
    'BaseOS alone and AppStream over BaseOS agree with dnf ($arch, newest=$newest)',
    async (c) => {
      const base = await loadRepo('BaseOS', trees.BaseOS!);
      const app = await loadRepo('AppStream', trees.AppStream!);
      expect(base.packages.length + app.packages.length).toBe(15);
      for (const [check, lookaside] of [
        [[base], []],
        [[app], [base]],
      ] as [LoadedRepo[], LoadedRepo[]][]) {
        const repos = [...check, ...lookaside].map((r) => ({
          id: r.id,
          url: r.baseUrl,
        }));
        const dnf = await sandbox.repoclosure({
          arch: c.arch,
          repos,
          check: check.map((r) => r.id),
          newest: c.newest,
        });
        const ours = await repoclosure({
          check,
          lookaside,
          arch: c.arch,
          newest: c.newest,
        });
        expect(ourProblemKeys(ours)).toEqual(dnfProblemKeys(dnf));
        // dnf sorts packages (hawkey order); deps within a package come out in hash order, so only packages
        expect(ours.map((p) => p.package)).toEqual(dnf.map((p) => p.package));
        expect(dnf.length).toBeGreaterThan(0);
      }
    },
  );

  it('checks only the given arches like dnf --arch', async () => {
    const base = await loadRepo('BaseOS', trees.BaseOS!);
    const dnf = await sandbox.dnf(
      'x86_64',
      [
        'repoclosure',
        `--repofrompath=BaseOS,${trees.BaseOS}`,
        '--repo=BaseOS',
        '--check=BaseOS',
        '--arch=x86_64',
        '--arch=noarch',
      ],
      { captureStdout: true, okExitCodes: [1], plugins: ['repoclosure'] },
    );
    const ours = await repoclosure({
      check: [base],
      arch: 'x86_64',
      checkArches: ['x86_64', 'noarch'],
    });
    expect(ourProblemKeys(ours)).toEqual(dnfProblemKeys(parseRepoclosure(dnf.stdout)));
    expect(ours.map((p) => p.package)).not.toContain('armonly-1.0-1.el9.aarch64');
  });

  it('prints the same report text as dnf, up to the order of deps inside a package', async () => {
    const base = await loadRepo('BaseOS', trees.BaseOS!);
    const ours = formatRepoclosure(await repoclosure({ check: [base], arch: 'x86_64' }));
    const dnf = await sandbox.dnf(
      'x86_64',
      ['-q', 'repoclosure', `--repofrompath=BaseOS,${trees.BaseOS}`, '--repo=BaseOS', '--check=BaseOS'],
      { captureStdout: true, okExitCodes: [1], plugins: ['repoclosure'] },
    );
    const norm = (text: string) =>
      text
        .trimEnd()
        .split(/\n(?=package: )/)
        .map((block) => {
          const [head, count, ...deps] = block.split('\n');
          return [head, count, ...deps.sort()].join('\n');
        })
        .join('\n');
    expect(norm(ours)).toBe(norm(dnf.stdout));
  });
});
