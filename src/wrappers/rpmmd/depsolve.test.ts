import { describe, expect, it } from 'vitest';
import { type ClosureRepo, repoclosure } from './closure.ts';
import { depsolve, type DepsolveRequest } from './depsolve.ts';
import { parseFilelists } from './filelists.ts';
import { parsePrimary } from './primary.ts';
import { type FakePackage, filelistsXml, primaryXml } from './test-repo.ts';
import type { Package } from './types.ts';

async function* once(s: string): AsyncGenerator<string> {
  yield s;
}

async function repo(id: string, pkgs: FakePackage[]): Promise<ClosureRepo & { loads: number }> {
  const packages: Package[] = [];
  for await (const p of parsePrimary(once(primaryXml(pkgs)))) packages.push(p);
  const r = {
    id,
    packages,
    loads: 0,
    filelists: (o: { detachPaths: boolean }) => {
      r.loads++;
      return parseFilelists(once(filelistsXml(pkgs)), o);
    },
  };
  return r;
}

const solve = async (req: DepsolveRequest, repos: ClosureRepo[], arch = 'x86_64') => {
  const r = await depsolve(req, { repos, arch });
  return { nevras: r.packages.map((p) => `${p.repo}:${p.pkg.nevra}`), problems: r.problems };
};

describe('depsolve', () => {
  it('closes over requirements, preferring the named package, the newest EVR and the base arch', async () => {
    const base = await repo('BaseOS', [
      { name: 'glibc', arch: 'x86_64', version: '2.34', provides: ['libc.so.6()(64bit)'] },
      { name: 'glibc', arch: 'i686', version: '2.34' },
      { name: 'glibc', arch: 'x86_64', version: '2.28' },
      { name: 'setup', version: '0.9' },
      { name: 'setup', version: '1.0' },
      { name: 'compat-setup', provides: ['setup = 5'] }, // provides the name, is not the package
      { name: 'bash', arch: 'x86_64', requires: ['libc.so.6()(64bit)', 'setup'] },
      { name: 'unused', arch: 'x86_64' },
    ]);
    const { nevras, problems } = await solve({ install: ['bash'] }, [base]);
    expect(problems).toEqual([]);
    expect(nevras).toEqual([
      'BaseOS:bash-1.0-1.x86_64',
      'BaseOS:glibc-2.34-1.x86_64',
      'BaseOS:setup-1.0-1.noarch',
    ]);
  });

  it('takes a requirement already met by the set as met, and a versioned one picks the matching version', async () => {
    const base = await repo('BaseOS', [
      { name: 'lib', version: '1.0' },
      { name: 'lib', version: '2.0' },
      { name: 'app', requires: ['lib < 2'] },
      { name: 'tool', requires: ['lib'] },
    ]);
    const { nevras } = await solve({ install: ['app', 'tool'] }, [base]);
    expect(nevras).toEqual([
      'BaseOS:app-1.0-1.noarch',
      'BaseOS:lib-1.0-1.noarch',
      'BaseOS:tool-1.0-1.noarch',
    ]);
  });

  it('follows rich dependencies: or (first that can be met), and, if/else, with', async () => {
    const base = await repo('BaseOS', [
      { name: 'coreutils' },
      { name: 'busybox' },
      { name: 'dnf', requires: ['(nothere or coreutils or busybox)'] },
      { name: 'kernel', requires: ['(kmod and (grub if efi else syslinux))'] },
      { name: 'kmod' },
      { name: 'grub' },
      { name: 'syslinux' },
      { name: 'efi' },
      { name: 'x', requires: ['(lib with lib(feature))'] },
      { name: 'lib', version: '1' },
      { name: 'lib', version: '2', provides: ['lib(feature)'] },
    ]);
    const { nevras, problems } = await solve({ install: ['dnf', 'kernel', 'x'] }, [base]);
    expect(problems).toEqual([]);
    expect(nevras).toEqual([
      'BaseOS:coreutils-1.0-1.noarch',
      'BaseOS:dnf-1.0-1.noarch',
      'BaseOS:kernel-1.0-1.noarch',
      'BaseOS:kmod-1.0-1.noarch',
      'BaseOS:lib-2-1.noarch',
      'BaseOS:syslinux-1.0-1.noarch',
      'BaseOS:x-1.0-1.noarch',
    ]);
    // once efi is in the set, the same requirement wants grub instead
    const withEfi = await solve({ install: ['efi', 'kernel'] }, [base]);
    expect(withEfi.nevras).toContain('BaseOS:grub-1.0-1.noarch');
    expect(withEfi.nevras).not.toContain('BaseOS:syslinux-1.0-1.noarch');
  });

  it('re-checks conditionals as the set grows: an `if` met only later still pulls its body in', async () => {
    const base = await repo('BaseOS', [
      { name: 'a', requires: ['(plugin if app)'] },
      { name: 'b', requires: ['app'] },
      { name: 'app' },
      { name: 'plugin' },
    ]);
    const { nevras } = await solve({ install: ['a', 'b'] }, [base]);
    expect(nevras).toContain('BaseOS:plugin-1.0-1.noarch');
  });

  it('reads filelists only for file requirements primary cannot answer, across repos in order', async () => {
    const base = await repo('BaseOS', [
      { name: 'bash', arch: 'x86_64', files: ['/usr/bin/bash'] },
      { name: 'python3', arch: 'x86_64', files: ['/usr/lib64/libpython3.so'] },
    ]);
    const app = await repo('AppStream', [
      { name: 'script', requires: ['/usr/bin/bash', '/usr/lib64/libpython3.so'] },
    ]);
    const { nevras, problems } = await solve({ install: ['script'] }, [base, app]);
    expect(problems).toEqual([]);
    expect(nevras).toEqual([
      'BaseOS:bash-1.0-1.x86_64',
      'BaseOS:python3-1.0-1.x86_64',
      'AppStream:script-1.0-1.noarch',
    ]);
    expect(base.loads).toBe(1);
  });

  it('reports what it cannot solve, list entries and requirements alike', async () => {
    const base = await repo('BaseOS', [
      { name: 'broken', requires: ['libnothere.so.1()(64bit)', '/no/such/file'] },
    ]);
    const { problems } = await solve({ install: ['broken', 'ghost'], installIfAvailable: ['ghost2'] }, [
      base,
    ]);
    expect(problems).toEqual([
      { package: '(package list)', requirement: 'ghost' },
      { package: 'broken-1.0-1.noarch', requirement: 'libnothere.so.1()(64bit)' },
      { package: 'broken-1.0-1.noarch', requirement: '/no/such/file' },
    ]);
  });

  it('adds comps conditional members when their trigger is in, skips other arches, and is repoclosure-clean', async () => {
    const base = await repo('BaseOS', [
      { name: 'kernel', arch: 'x86_64', requires: ['kernel-core'] },
      { name: 'kernel-core', arch: 'x86_64' },
      { name: 'shim-x64', arch: 'x86_64' },
      { name: 'grub2-efi-aa64', arch: 'aarch64' },
      { name: 'hello', arch: 'x86_64' },
    ]);
    const req = {
      install: ['kernel'],
      installIfAvailable: ['grub2-efi-aa64'],
      conditional: [
        { name: 'shim-x64', requires: 'kernel' },
        { name: 'hello', requires: 'nodejs' },
      ],
    };
    const r = await depsolve(req, { repos: [base], arch: 'x86_64' });
    expect(r.packages.map((p) => p.pkg.name)).toEqual(['kernel', 'kernel-core', 'shim-x64']);
    const problems = await repoclosure({
      check: [{ id: 'min', packages: r.packages.map((p) => p.pkg) }],
      arch: 'x86_64',
    });
    expect(problems).toEqual([]);
  });
});
