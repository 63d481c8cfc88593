import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommandFailedError } from '../errors.ts';
import { run } from '../run/runner.ts';
import {
  checksumRecords,
  createHasher,
  formatChecksumFile,
  hashFiles,
  hashFolderFiles,
  parseChecksumFile,
  toCoreutilsFormat,
  writeChecksumFiles,
} from './checksum.ts';
import { detachSign, detachSignArgv, verifyArgv } from './sign.ts';

const tmp = () => mkdtemp(join(tmpdir(), 'horno-checksum-'));
const goldenUrl = (name: string) => new URL(`../../../test/golden/${name}`, import.meta.url);
const sha = (alg: string, data: Buffer | string) => createHash(alg).update(data).digest('hex');

/** A folder like compose/isos/x86_64: two images, a generic link and a latest link to one of them. */
async function mediaFolder(): Promise<{ dir: string; names: string[]; dvd: Buffer; boot: Buffer }> {
  const dir = await tmp();
  const dvd = Buffer.alloc(3 * 1024 * 1024 + 17, 'dvd');
  const boot = Buffer.from('boot image bytes\n');
  await writeFile(join(dir, 'Demo-9.9-x86_64-dvd.iso'), dvd);
  await writeFile(join(dir, 'Demo-9.9-x86_64-boot.iso'), boot);
  await symlink('Demo-9.9-x86_64-dvd.iso', join(dir, 'Demo-x86_64-dvd.iso'));
  await symlink('Demo-9.9-x86_64-dvd.iso', join(dir, 'Demo-9-latest-x86_64-dvd.iso'));
  const names = [
    'Demo-9.9-x86_64-dvd.iso',
    'Demo-9.9-x86_64-boot.iso',
    'Demo-x86_64-dvd.iso',
    'Demo-9-latest-x86_64-dvd.iso',
  ];
  return { dir, names, dvd, boot };
}

describe('CHECKSUM format', () => {
  const records = [
    { file: 'b.iso', size: 5, algorithm: 'sha256' as const, hex: sha('sha256', 'bbbbb') },
    { file: 'a.iso', size: 3, algorithm: 'sha256' as const, hex: sha('sha256', 'aaa') },
  ];

  it('writes size comment and BSD tag line per file, sorted (golden)', async () => {
    expect(formatChecksumFile(records)).toBe(await readFile(goldenUrl('CHECKSUM.golden'), 'utf8'));
  });

  it('parses what it writes, and older files without size comments', () => {
    const text = formatChecksumFile(records);
    expect(parseChecksumFile(text)).toEqual(
      [...records].reverse().map((r) => ({ file: r.file, algorithm: r.algorithm, hex: r.hex, size: r.size })),
    );
    const old = `SHA512 (x.iso) = ${sha('sha512', 'x')}\n`;
    expect(parseChecksumFile(old)).toEqual([{ file: 'x.iso', algorithm: 'sha512', hex: sha('sha512', 'x') }]);
  });

  it('refuses lines a verifier would silently skip', () => {
    const line = `SHA256 (a.iso) = ${sha('sha256', 'a')}`;
    expect(() => parseChecksumFile(`${line}\ngarbage\n`)).toThrow(/line 2: not a CHECKSUM line/);
    expect(() => parseChecksumFile(`MD4 (a.iso) = abcd\n`)).toThrow(/unknown algorithm MD4/);
    expect(() => parseChecksumFile(`SHA256 (a.iso) = abcd\n`)).toThrow(/4 hex digits/);
    expect(() => parseChecksumFile(`# b.iso: 1 bytes\n${line}\n`)).toThrow(/names b.iso but/);
    expect(() => parseChecksumFile(`# a.iso: 1 bytes\n`)).toThrow(/no digest line/);
    expect(() => formatChecksumFile([{ ...records[0]!, file: 'a\nb' }])).toThrow(/plain file name/);
    expect(() => formatChecksumFile([records[0]!, records[0]!])).toThrow(/two CHECKSUM records/);
  });
});

describe('hashing', () => {
  it('matches node:crypto for every algorithm in one pass, on files larger than one chunk, in parallel', async () => {
    const dir = await tmp();
    const files: string[] = [];
    for (let i = 0; i < 5; i++) {
      const p = join(dir, `f${i}`);
      await writeFile(p, randomBytes(i === 0 ? 0 : (9 << 20) + i * 4099));
      files.push(p);
    }
    const got = await hashFiles(files, ['sha256', 'sha512', 'sha1'], { concurrency: 3 });
    for (const [i, g] of got.entries()) {
      const data = await readFile(files[i]!);
      expect(g.size).toBe(data.length);
      expect(g.digests).toEqual({
        sha256: sha('sha256', data),
        sha512: sha('sha512', data),
        sha1: sha('sha1', data),
      });
    }
  });

  it('reports a missing file as that file’s error and keeps going', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'ok'), 'ok');
    const h = createHasher({ concurrency: 1 });
    try {
      await expect(h.hash(join(dir, 'missing'), ['sha256'])).rejects.toThrow(/cannot hash .*missing.*ENOENT/);
      expect((await h.hash(join(dir, 'ok'), ['sha256'])).digests.sha256).toBe(sha('sha256', 'ok'));
    } finally {
      await h.close();
    }
  });

  it('stops on abort', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'f'), Buffer.alloc(1 << 20));
    const ac = new AbortController();
    const h = createHasher({ concurrency: 1, signal: ac.signal });
    const p = h.hash(join(dir, 'f'), ['sha256']);
    ac.abort();
    await expect(p).rejects.toThrow(/interrupted/);
    await h.close();
  });
});

describe('media folder checksums', () => {
  it('records links under their own name with the target’s size and digest, hashing the target once', async () => {
    const { dir, names, dvd } = await mediaFolder();
    const calls: string[] = [];
    const base = createHasher({ concurrency: 2 });
    const counting = {
      hash: (p: string, a: readonly string[]) => (calls.push(p), base.hash(p, a)),
      close: base.close,
    };
    const files = await hashFolderFiles(dir, names, ['sha256'], counting).finally(() => base.close());
    expect(calls).toHaveLength(2);
    const link = files.find((f) => f.name === 'Demo-x86_64-dvd.iso')!;
    expect(link).toMatchObject({ size: dvd.length, link: 'Demo-9.9-x86_64-dvd.iso' });
    expect(link.digests.sha256).toBe(sha('sha256', dvd));
  });

  it('verifies with the real sha256sum -c after nothing but reformatting, and a corrupted file fails', async () => {
    const { dir, names } = await mediaFolder();
    const h = createHasher({ concurrency: 2 });
    const files = await hashFolderFiles(dir, names, ['sha256'], h).finally(() => h.close());
    const written = await writeChecksumFiles(dir, checksumRecords(files, 'sha256'));
    expect(written.map((w) => w.path.slice(dir.length + 1)).sort()).toEqual(
      ['CHECKSUM', ...names.map((n) => `${n}.CHECKSUM`)].sort(),
    );
    const all = await readFile(join(dir, 'CHECKSUM'), 'utf8');
    expect(all.split('\n').filter((l) => l.startsWith('SHA256'))).toHaveLength(4);
    expect(all).toBe(
      (await Promise.all(names.sort().map((n) => readFile(join(dir, `${n}.CHECKSUM`), 'utf8')))).join(''),
    );
    const gnu = join(dir, 'SHA256SUMS');
    await writeFile(gnu, toCoreutilsFormat(parseChecksumFile(all)));
    const ok = await run(['sha256sum', '--strict', '-c', gnu], { cwd: dir, captureStdout: true });
    expect(ok.stdout.trim().split('\n')).toHaveLength(4);
    expect(ok.stdout).not.toMatch(/FAILED/);

    const fh = await open(join(dir, 'Demo-9.9-x86_64-dvd.iso'), 'r+');
    await fh.write(Buffer.from('XXXX'), 0, 4, 1 << 20);
    await fh.close();
    const bad = await run(['sha256sum', '-c', gnu], { cwd: dir, captureStdout: true, okExitCodes: [1] });
    // the image and both links to it fail; the boot image still verifies
    expect(bad.stdout.match(/FAILED/g)).toHaveLength(3);
    expect(bad.stdout).toMatch(/Demo-9.9-x86_64-boot.iso: OK/);
  });

  it('leaves an unchanged CHECKSUM file alone and uses the release algorithm', async () => {
    const { dir, names } = await mediaFolder();
    const h = createHasher({ concurrency: 2 });
    const files = await hashFolderFiles(dir, names, ['sha256', 'sha512'], h).finally(() => h.close());
    const first = await writeChecksumFiles(dir, checksumRecords(files, 'sha512'));
    expect(first.every((w) => w.changed)).toBe(true);
    const mtime = (await stat(join(dir, 'CHECKSUM'))).mtimeMs;
    const again = await writeChecksumFiles(dir, checksumRecords(files, 'sha512'));
    expect(again.some((w) => w.changed)).toBe(false);
    expect((await stat(join(dir, 'CHECKSUM'))).mtimeMs).toBe(mtime);
    const parsed = parseChecksumFile(await readFile(join(dir, 'CHECKSUM'), 'utf8'));
    expect(parsed.every((p) => p.algorithm === 'sha512' && p.hex.length === 128)).toBe(true);
    await writeFile(join(dir, 'SHA512SUMS'), toCoreutilsFormat(parsed));
    await run(['sha512sum', '--strict', '-c', 'SHA512SUMS'], { cwd: dir });
  });

  it('refuses a dangling link', async () => {
    const dir = await tmp();
    await symlink('nothing.iso', join(dir, 'latest.iso'));
    const h = createHasher({ concurrency: 1 });
    await expect(
      hashFolderFiles(dir, ['latest.iso'], ['sha256'], h).finally(() => h.close()),
    ).rejects.toThrow(/link to nothing.iso, which does not exist/);
  });
});

describe('signatures', () => {
  it('builds the gpg argv exactly', () => {
    expect(detachSignArgv('ABCD1234', '/c/CHECKSUM', '/c/.tmp')).toEqual([
      'gpg',
      '--batch',
      '--yes',
      '--no-tty',
      '--pinentry-mode',
      'error',
      '--armor',
      '--detach-sign',
      '--local-user',
      'ABCD1234',
      '--output',
      '/c/.tmp',
      '--',
      '/c/CHECKSUM',
    ]);
    expect(verifyArgv('a.asc', 'a')).toEqual(['gpg', '--batch', '--verify', '--', 'a.asc', 'a']);
  });

  it('signs with a generated key; gpg --verify accepts it and rejects a changed file', async () => {
    const dir = await tmp();
    const home = join(dir, 'gnupg');
    await mkdir(home, { mode: 0o700 });
    const env = { GNUPGHOME: home };
    await writeFile(
      join(dir, 'key.params'),
      '%no-protection\nKey-Type: RSA\nKey-Length: 2048\nKey-Usage: sign\nName-Real: Horno Test\n' +
        'Name-Email: sign@example.invalid\nExpire-Date: 0\n%commit\n',
    );
    await run(['gpg', '--batch', '--gen-key', join(dir, 'key.params')], { env });
    try {
      const file = join(dir, 'CHECKSUM');
      await writeFile(file, `# a: 1 bytes\nSHA256 (a) = ${sha('sha256', 'a')}\n`);
      const sig = await detachSign(file, { keyId: 'sign@example.invalid', gnupgHome: home });
      expect(sig).toBe(`${file}.asc`);
      expect(await readFile(sig, 'utf8')).toMatch(/^-----BEGIN PGP SIGNATURE-----/);
      const ok = await run(verifyArgv(sig, file), { env });
      expect(ok.stderrTail).toMatch(/Good signature from "Horno Test <sign@example.invalid>"/);
      await writeFile(file, 'tampered\n');
      await expect(run(verifyArgv(sig, file), { env })).rejects.toBeInstanceOf(CommandFailedError);
      await expect(detachSign(file, { keyId: 'nobody@example.invalid', gnupgHome: home })).rejects.toThrow(
        /gpg/,
      );
    } finally {
      // gpg started an agent for this keyring; it would outlive the test
      await run(['gpgconf', '--kill', 'gpg-agent'], { env });
    }
  });
});
