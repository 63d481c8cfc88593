import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Package } from '../../rpmmd/index.ts';
import { checkPackages, packageLocation, refuseLinkedPath } from './tree-guard.ts';

const TREE = 'http://127.0.0.1:8080/BaseOS/x86_64/os/';
const pkg = (nevra: string, href: string, over: Partial<Package> = {}): Package =>
  ({
    nevra,
    checksum: { type: 'sha256', value: 'a'.repeat(64) },
    size: { package: 10, installed: 0, archive: 0 },
    location: { href },
    ...over,
  }) as Package;

describe('packageLocation / checkPackages', () => {
  it('gives the download URL and the path in the tree', () => {
    expect(packageLocation(TREE, pkg('a-1-1.x86_64', 'Packages/a/a-1-1.x86_64.rpm'))).toEqual({
      url: `${TREE}Packages/a/a-1-1.x86_64.rpm`,
      rel: 'Packages/a/a-1-1.x86_64.rpm',
    });
  });

  it('names every bad package (ten, then a count) in one error', () => {
    const bad = [
      pkg('x-1-1.noarch', 'x.txt'),
      pkg('y-1-1.noarch', 'y.rpm', { size: { package: 0, installed: 0, archive: 0 } }),
      pkg('z-1-1.noarch', 'z.rpm', { checksum: { type: '', value: '' } }),
      ...Array.from({ length: 10 }, (_, i) => pkg(`f${i}-1-1.noarch`, `file:/f${i}.rpm`)),
    ];
    let msg = '';
    try {
      checkPackages(TREE, [pkg('ok-1-1.noarch', 'ok.rpm'), ...bad]);
    } catch (err) {
      msg = (err as Error).message;
    }
    expect(msg).toContain('13 unsafe package(s)');
    expect(msg).toContain('package x-1-1.noarch (x.txt) is not an .rpm file');
    expect(msg).toContain('package y-1-1.noarch (y.rpm) has no size');
    expect(msg).toContain('package z-1-1.noarch (z.rpm) has no checksum');
    expect(msg).toContain('package f0-1-1.noarch: refusing location "file:/f0.rpm"');
    expect(msg).toContain('... and 3 more');
    expect(msg).not.toContain('ok-1-1');
  });
});

describe('refuseLinkedPath', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('accepts real folders and missing ones, and names a link on the way down', async () => {
    const top = await mkdtemp(join(tmpdir(), 'horno-guard-'));
    dirs.push(top);
    await mkdir(join(top, 'BaseOS', 'x86_64'), { recursive: true });
    await refuseLinkedPath(top, join(top, 'BaseOS', 'x86_64', 'os'));
    await symlink(join(top, 'BaseOS'), join(top, 'AppStream'));
    await expect(refuseLinkedPath(top, join(top, 'AppStream', 'x86_64', 'os'))).rejects.toThrow(
      `refusing to write through a symlink in or above a mirrored tree: ${join(top, 'AppStream')}`,
    );
  });
});
