import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { serializeDiscInfo, serializeMediaRepo } from './discinfo.ts';
import { checksummedFiles, discTreeInfo, installTreeInfo, type InstallTreeInput } from './install-tree.ts';
import { parseLoraxTreeInfo, serializeTreeInfo } from './treeinfo.ts';

const golden = (name: string) => readFile(new URL(`../../../test/golden/${name}`, import.meta.url), 'utf8');

/** What the lorax stand-in (and lorax 34.9 on x86_64) writes, old style, plus an empty entry to be dropped. */
const LORAX = `[general]
timestamp = 1699999999
family = Horno Demo Linux
version = 9.9
name = Horno Demo Linux-9.9
variant = BaseOS
arch = x86_64
packagedir =

[stage2]
mainimage = images/install.img

[images-x86_64]
kernel = images/pxeboot/vmlinuz
initrd = images/pxeboot/initrd.img
efiboot.img = images/efiboot.img
macboot.img =
boot.iso = images/boot.iso

[images-xen]
kernel = images/pxeboot/vmlinuz
initrd = images/pxeboot/initrd.img
`;

const digest = (path: string) =>
  [...path]
    .reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7)
    .toString(16)
    .padStart(64, '0');

function input(repos: string[], mainVariant: string, files: string[]): InstallTreeInput {
  return {
    lorax: parseLoraxTreeInfo(LORAX),
    release: { name: 'Horno Demo Linux', short: 'Demo', version: '9.9' },
    arch: 'x86_64',
    buildTimestamp: 1700000000,
    repos,
    mainVariant,
    checksum: 'sha256',
    digests: new Map(files.map((f) => [f, digest(f)])),
  };
}

describe('install tree and disc .treeinfo', () => {
  it('makes a repo os/ tree bootable with every variant of the boot image (golden)', async () => {
    const files = checksummedFiles(parseLoraxTreeInfo(LORAX), [''], false);
    expect(files).toEqual([
      'images/boot.iso',
      'images/efiboot.img',
      'images/install.img',
      'images/pxeboot/initrd.img',
      'images/pxeboot/vmlinuz',
      'repodata/repomd.xml',
    ]);
    const t = installTreeInfo(input(['BaseOS', 'AppStream'], 'BaseOS', files));
    expect(serializeTreeInfo(t, 'BaseOS')).toBe(await golden('install-tree-baseos.treeinfo'));
  });

  it('makes a disc: repos in their own folders, boot.iso dropped, [media] 1 of 1 (golden)', async () => {
    const files = checksummedFiles(parseLoraxTreeInfo(LORAX), ['BaseOS', 'AppStream'], true);
    expect(files).not.toContain('images/boot.iso');
    const t = discTreeInfo(input(['BaseOS', 'AppStream'], 'AppStream', files));
    expect(serializeTreeInfo(t, 'AppStream')).toBe(await golden('disc-dvd.treeinfo'));
    expect(
      serializeDiscInfo({ timestamp: '1700000000', description: 'Horno Demo Linux 9.9', arch: 'x86_64' }),
    ).toBe(await golden('disc-dvd.discinfo'));
    expect(serializeMediaRepo('Horno Demo Linux 9.9', '1700000000')).toBe(
      await golden('disc-dvd.media.repo'),
    );
  });

  it('refuses a main variant that is not carried and a file without a digest', () => {
    const files = checksummedFiles(parseLoraxTreeInfo(LORAX), ['BaseOS'], true);
    expect(() => discTreeInfo(input(['BaseOS'], 'minimal', files))).toThrow(/main variant minimal/);
    expect(() => discTreeInfo(input(['BaseOS'], 'BaseOS', files.slice(1)))).toThrow(/no sha256 digest/);
  });
});
