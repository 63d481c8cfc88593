import { createHash } from 'node:crypto';
import { lstat, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extractArchiveSafely, inspectArchive, UnsafeArchiveError } from './safe-tar.ts';
import { craftTarball, craftTarballFile } from './safe-tar-craft.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'horno-safe-tar-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function tarball(name: string, entries: Parameters<typeof craftTarball>[0]): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, craftTarball(entries));
  return file;
}

const honest = [
  { path: 'lorax/', type: 'Directory' as const, mode: 0o755 },
  { path: 'lorax/.treeinfo', body: '[header]\n' },
  { path: 'lorax/images/pxeboot/vmlinuz', body: 'kernel' },
  { path: 'lorax/isolinux/vmlinuz', type: 'Link' as const, linkpath: 'lorax/images/pxeboot/vmlinuz' },
  {
    path: 'lorax/EFI/BOOT/fallback.efi',
    type: 'SymbolicLink' as const,
    linkpath: '../../images/pxeboot/vmlinuz',
  },
  { path: './lorax.log', body: 'log\n' },
];

describe('extractArchiveSafely', () => {
  it('unpacks an honest tree with its files, hard links and inside symlinks', async () => {
    const file = await tarball('ok.tar.gz', honest);
    const dest = join(dir, 'out');
    const entries = await extractArchiveSafely(file, dest);
    expect(entries.map((e) => e.path)).toEqual([
      'lorax',
      'lorax/.treeinfo',
      'lorax/images/pxeboot/vmlinuz',
      'lorax/isolinux/vmlinuz',
      'lorax/EFI/BOOT/fallback.efi',
      'lorax.log',
    ]);
    expect(await readFile(join(dest, 'lorax/isolinux/vmlinuz'), 'utf8')).toBe('kernel');
    expect(await readlink(join(dest, 'lorax/EFI/BOOT/fallback.efi'))).toBe('../../images/pxeboot/vmlinuz');
    expect((await lstat(join(dest, 'lorax/.treeinfo'))).uid).toBe(process.getuid!());
  });

  const evil: [string, Parameters<typeof craftTarball>[0], RegExp][] = [
    ['a ".." path', [{ path: 'lorax/../../escape', body: 'x' }], /has a "\.\." segment/],
    ['an absolute path', [{ path: '/tmp/escape', body: 'x' }], /absolute path/],
    [
      'a symlink to an absolute path',
      [{ path: 'etc', type: 'SymbolicLink', linkpath: '/etc' }],
      /absolute path/,
    ],
    [
      'a symlink climbing out',
      [{ path: 'lorax/up', type: 'SymbolicLink', linkpath: '../../..' }],
      /leads outside the archive/,
    ],
    [
      'a file written through a symlink',
      [
        { path: 'lorax/d', type: 'SymbolicLink', linkpath: '.' },
        { path: 'lorax/d/x', body: 'x' },
      ],
      /lies under the symlink "lorax\/d"/,
    ],
    [
      'a symlink through a symlink',
      [
        { path: 'a/s', type: 'SymbolicLink', linkpath: '..' },
        { path: 'e', type: 'SymbolicLink', linkpath: 'a/s/..' },
      ],
      /through another symlink/,
    ],
    [
      'a symlink whose way out appears only later',
      [
        { path: 'e', type: 'SymbolicLink', linkpath: 'x/..' },
        { path: 'x', type: 'SymbolicLink', linkpath: '.' },
      ],
      /through another symlink/,
    ],
    [
      'a file placed before the symlink replacing its folder',
      [
        { path: 'd/x', body: 'x' },
        { path: 'd', type: 'SymbolicLink', linkpath: '.' },
      ],
      /lies under the symlink "d"/,
    ],
    ['a hard link outside', [{ path: 'h', type: 'Link', linkpath: '/etc/passwd' }], /absolute path/],
    [
      'a hard link to nothing earlier',
      [{ path: 'h', type: 'Link', linkpath: 'later' }],
      /not to an earlier file/,
    ],
    [
      'a character device',
      [{ path: 'null', type: 'CharacterDevice', devmaj: 1, devmin: 3 }],
      /CharacterDevice/,
    ],
    ['a block device', [{ path: 'sda', type: 'BlockDevice', devmaj: 8, devmin: 0 }], /BlockDevice/],
    ['a FIFO', [{ path: 'pipe', type: 'FIFO' }], /FIFO/],
    ['a setuid file', [{ path: 'su', body: 'x', mode: 0o4755 }], /setuid/],
  ];
  it.each(evil)('refuses %s and writes nothing', async (_what, entries, problem) => {
    const file = await tarball('evil.tar.gz', [{ path: 'lorax/ok', body: 'fine' }, ...entries]);
    const dest = join(dir, 'out');
    const err = await extractArchiveSafely(file, dest).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsafeArchiveError);
    expect((err as Error).message).toMatch(problem);
    expect(await readdir(dir)).toEqual(['evil.tar.gz']);
  });

  it('refuses a member declared past the default 16 GiB ceiling at its header, before its body is read', async () => {
    // the header alone: the 17 GiB body never comes, and is never waited for
    const file = join(dir, 'claim.tar.gz');
    await craftTarballFile(file, [
      { path: 'lorax/ok', body: 'fine' },
      { path: 'lorax/huge', size: 17 * 2 ** 30 },
    ]);
    await expect(inspectArchive(file)).rejects.toThrow(
      /entry "lorax\/huge" declares 18253611008 bytes, which brings the content past 17179869184 bytes \(the limit, 16 GiB\)/,
    );
  });

  it('refuses sparse files, as a GNU sparse entry or hidden in a pax header', async () => {
    await expect(
      inspectArchive(await tarball('s.tar.gz', [{ path: 'sp', type: 'SparseFile' }])),
    ).rejects.toThrow(/"sp" is a SparseFile entry/);
    const pax = '22 GNU.sparse.major=1\n22 GNU.sparse.minor=0\n';
    const file = await tarball('p.tar.gz', [
      { path: 'PaxHeader/sp', type: 'ExtendedHeader', body: pax },
      { path: 'sp', body: 'x' },
    ]);
    await expect(inspectArchive(file)).rejects.toThrow(/"sp" is a sparse file/);
  });

  it('takes long names from pax and GNU headers', async () => {
    const long = `lorax/${'d'.repeat(120)}/file`;
    const file = await tarball('long.tar.gz', [
      { path: 'PaxHeader/x', type: 'ExtendedHeader', body: `${long.length + 10} path=${long}\n` },
      { path: 'short', body: 'pax' },
      { path: '././@LongLink', type: 'NextFileHasLongPath', body: `${long}2\0` },
      { path: 'short2', body: 'gnu' },
    ]);
    const dest = join(dir, 'out');
    await extractArchiveSafely(file, dest);
    expect(await readFile(join(dest, long), 'utf8')).toBe('pax');
    expect(await readFile(join(dest, `${long}2`), 'utf8')).toBe('gnu');
  });

  const listing = { path: 'MANIFEST', parse: (t: string) => new Set(t.split('\n').filter(Boolean)) };
  it('refuses, before writing anything, a member its manifest does not list, or an archive without one', async () => {
    const dest = join(dir, 'out');
    const unlisted = await tarball('u.tar.gz', [
      { path: 'MANIFEST', body: 'lorax/a\n' },
      { path: 'lorax/a', body: 'a' },
      { path: 'lorax/b', body: 'b' },
    ]);
    await expect(extractArchiveSafely(unlisted, dest, { manifest: listing })).rejects.toThrow(
      /entry "lorax\/b" is not listed in MANIFEST/,
    );
    const late = await tarball('l.tar.gz', [
      { path: 'lorax/a', body: 'a' },
      { path: 'MANIFEST', body: 'lorax/a\n' },
    ]);
    await expect(extractArchiveSafely(late, dest, { manifest: listing })).rejects.toThrow(
      /"lorax\/a" comes before MANIFEST, which must be the first file/,
    );
    const none = await tarball('n.tar.gz', [{ path: 'lorax/a', body: 'a' }]);
    await expect(extractArchiveSafely(none, dest, { manifest: listing })).rejects.toThrow(
      /"MANIFEST" is missing/,
    );
    expect((await readdir(dir)).sort()).toEqual(['l.tar.gz', 'n.tar.gz', 'u.tar.gz']);
    const ok = await extractArchiveSafely(unlisted.replace('u.tar.gz', 'u.tar.gz'), dest, {
      manifest: { ...listing, parse: () => new Set(['lorax/a', 'lorax/b']) },
    });
    expect(ok.find((e) => e.path === 'lorax/b')?.sha256).toBe(createHash('sha256').update('b').digest('hex'));
  });

  it('refuses a gzip bomb past the byte limit and a truncated archive', async () => {
    const file = await tarball('big.tar.gz', [{ path: 'a', body: 'x'.repeat(4096) }]);
    await expect(inspectArchive(file, { maxBytes: 1000 })).rejects.toThrow(/past 1000 bytes/);
    const cut = join(dir, 'cut.tar.gz');
    await writeFile(cut, (await readFile(file)).subarray(0, 30));
    await expect(inspectArchive(cut)).rejects.toThrow(UnsafeArchiveError);
  });
});
