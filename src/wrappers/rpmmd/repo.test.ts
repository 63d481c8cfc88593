import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Compression } from './decompress.ts';
import { ChecksumMismatchError, RepoMetadataError } from './errors.ts';
import { loadRepo, streamFilelists, streamPrimary as streamPrimaryOf } from './repo.ts';
import { fetchRepomd } from './repomd.ts';
import { type FakePackage, filelistsXml, primaryXml, writeRepo } from './test-repo.ts';

const PKGS: FakePackage[] = [
  {
    name: 'bash',
    arch: 'x86_64',
    version: '5.1.8',
    release: '9.el9',
    files: ['/usr/bin/bash', '/usr/share/doc/x'],
  },
  {
    name: 'setup',
    version: '2.13.7',
    release: '9.el9',
    files: ['/etc/passwd'],
    requires: ['pre:/usr/bin/sh'],
  },
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'horno-rpmmd-repo-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('loadRepo', () => {
  it.each(['gz', 'xz', 'bz2', 'zst', 'none'] satisfies Compression[])('reads %s metadata', async (c) => {
    const root = join(dir, `c-${c}`);
    const names = await writeRepo(root, { primary: primaryXml(PKGS), filelists: filelistsXml(PKGS) }, c);
    expect(names[0]).toBe(c === 'none' ? 'primary.xml' : `primary.xml.${c}`);
    const repo = await loadRepo('BaseOS', root);
    expect(repo.repomd.revision).toBe('1700000000');
    expect(repo.packages.map((p) => p.nevra)).toEqual([
      'bash-5.1.8-9.el9.x86_64',
      'setup-2.13.7-9.el9.noarch',
    ]);
    expect(repo.packages[0]!.files).toEqual([{ path: '/usr/bin/bash' }]);
    const fl = await collect(repo.filelists!());
    expect(fl.map((e) => e.files.map((f) => f.path))).toEqual([
      ['/usr/bin/bash', '/usr/share/doc/x'],
      ['/etc/passwd'],
    ]);
    expect(fl[0]!.pkgid).toBe(repo.packages[0]!.pkgid);
  });

  it('accepts file:// URLs', async () => {
    const root = join(dir, 'fileurl');
    await writeRepo(root, { primary: primaryXml(PKGS) });
    const repo = await loadRepo('x', pathToFileURL(root).href);
    expect(repo.packages).toHaveLength(2);
  });

  it('fails when the stored file does not match repomd.xml', async () => {
    const root = join(dir, 'corrupt');
    const [primary] = await writeRepo(root, { primary: primaryXml(PKGS) }, 'gz');
    const md = await readFile(join(root, 'repodata', 'repomd.xml'), 'utf8');
    // same size, different checksum: a mirror caught mid-sync
    await writeFile(
      join(root, 'repodata', 'repomd.xml'),
      md.replace(/<checksum type="sha256">[0-9a-f]{4}/, '<checksum type="sha256">0000'),
    );
    await expect(loadRepo('x', root)).rejects.toBeInstanceOf(ChecksumMismatchError);
    // and a truncated file fails on size (or in gunzip) before any checksum
    const file = join(root, 'repodata', primary!);
    const buf = await readFile(file);
    await writeFile(file, buf.subarray(0, buf.length - 10));
    await writeFile(join(root, 'repodata', 'repomd.xml'), md);
    await expect(loadRepo('x', root)).rejects.toThrow();
  });

  it('fails on an xz file that does not decompress, with the decompressor error', async () => {
    const root = join(dir, 'badxz');
    const [primary] = await writeRepo(root, { primary: primaryXml(PKGS) }, 'xz');
    const file = join(root, 'repodata', primary!);
    await writeFile(file, Buffer.alloc((await stat(file)).size, 7));
    const err = await loadRepo('x', root, { verify: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(String((err as Error).message)).toMatch(/xz/);
  });

  it('says clearly when there is no repository', async () => {
    await expect(fetchRepomd(join(dir, 'nothing'))).rejects.toBeInstanceOf(RepoMetadataError);
  });
});

describe('over HTTP', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    const root = join(dir, 'http');
    await writeRepo(root, { primary: primaryXml(PKGS), filelists: filelistsXml(PKGS) }, 'xz');
    server = createServer((req, res) => {
      if (req.url!.startsWith('/away/')) {
        // another port is another host
        res.writeHead(302, { location: `http://localhost:${(server.address() as AddressInfo).port}/` }).end();
        return;
      }
      const path = join(root, decodeURIComponent(new URL(req.url!, 'http://x').pathname));
      stat(path).then(
        () => createReadStream(path).pipe(res),
        () => {
          res.statusCode = 404;
          res.end('not found');
        },
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('fetches repomd, primary and filelists', async () => {
    const repo = await loadRepo('BaseOS', base);
    expect(repo.packages.map((p) => p.name)).toEqual(['bash', 'setup']);
    const fl = await collect(streamFilelists(base, repo.repomd));
    expect(fl).toHaveLength(2);
  });

  it('reports HTTP errors', async () => {
    await expect(fetchRepomd(`${base}missing/`)).rejects.toThrow(/HTTP 404/);
  });

  it('refuses a metadata redirect to another host', async () => {
    await expect(fetchRepomd(`${base}away/`)).rejects.toThrow(
      /redirected to http:\/\/localhost:\d+: another host/,
    );
  });
});

describe('locations a repomd.xml or primary.xml gives', () => {
  it('are refused outside the repo, by the resolver every read goes through', async () => {
    const root = join(dir, 'confined');
    await writeRepo(root, { primary: primaryXml(PKGS), filelists: filelistsXml(PKGS) }, 'gz');
    const repomd = await fetchRepomd(root);
    const rec = repomd.records.find((r) => r.type === 'primary')!;
    for (const location of [{ href: '/etc/passwd' }, { href: '../x' }, { href: 'x', base: 'file:///etc/' }]) {
      const bad = { ...repomd, records: [{ ...rec, location }] };
      await expect(collect(streamPrimaryOf(root, bad))).rejects.toThrow(/refusing location/);
    }
  });
});
