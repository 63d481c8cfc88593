import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { craftTarball, type CraftedEntry } from '../../iso/safe-tar-craft.ts';
import { unpackLoraxTarball } from './unpack.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'horno-unpack-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const files: Record<string, string> = {
  'lorax/.treeinfo': '[header]\n',
  'lorax/images/pxeboot/vmlinuz': 'kernel',
  'lorax-x86_64.log': 'lorax said things\n',
};

/** build-iso's layout: MANIFEST.sha256, the log, the lorax/ tree; `manifest` overrides the listed lines. */
async function tarball(manifest?: string, extra: CraftedEntry[] = []): Promise<string> {
  const lines = Object.entries(files).map(([p, c]) => `${sha(c)}  ${p}`);
  const entries: CraftedEntry[] = [
    { path: 'MANIFEST.sha256', body: manifest ?? `${lines.sort().join('\n')}\n` },
    ...Object.entries(files).map(([path, body]) => ({ path, body })),
    ...extra,
  ];
  const file = join(dir, 'lorax-9.9-x86_64.tar.gz');
  await writeFile(file, craftTarball(entries));
  return file;
}

describe('unpackLoraxTarball', () => {
  it('replaces the tree and keeps the manifest and log beside it', async () => {
    const tree = join(dir, 'lorax');
    const r = await unpackLoraxTarball(await tarball(), tree, 'x86_64');
    expect(r).toEqual({ files: 3, log: join(dir, 'lorax-x86_64.log') });
    expect(await readFile(join(tree, 'images/pxeboot/vmlinuz'), 'utf8')).toBe('kernel');
    expect((await readdir(dir)).sort()).toEqual([
      'MANIFEST.sha256',
      'lorax',
      'lorax-9.9-x86_64.tar.gz',
      'lorax-x86_64.log',
    ]);
  });

  it('refuses a tree that does not match its manifest and leaves the old tree in place', async () => {
    const tree = join(dir, 'lorax');
    await unpackLoraxTarball(await tarball(), tree, 'x86_64');
    const wrong = `${sha('other')}  lorax/.treeinfo\n${sha('kernel')}  lorax/images/pxeboot/vmlinuz\n${sha('lorax said things\n')}  lorax-x86_64.log\n`;
    await expect(unpackLoraxTarball(await tarball(wrong), tree, 'x86_64')).rejects.toThrow(
      /lorax\/\.treeinfo has sha256 \w+, MANIFEST\.sha256 says/,
    );
    await expect(
      unpackLoraxTarball(await tarball(undefined, [{ path: 'lorax/sneaky', body: 'x' }]), tree, 'x86_64'),
    ).rejects.toThrow(/"lorax\/sneaky" is not listed in MANIFEST\.sha256/);
    expect(await readFile(join(tree, '.treeinfo'), 'utf8')).toBe('[header]\n');
    expect((await readdir(dir)).filter((n) => n.startsWith('.'))).toEqual([]);
  });
});
