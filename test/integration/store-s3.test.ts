// The S3 store against a real S3-compatible server (s3rver on 127.0.0.1): round trips, paginated prefix-scoped
// listing, a multipart upload checked byte for byte, and objects whose bytes or recorded sha256 disagree refused
// with nothing left behind.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError, WorkError } from '../../src/wrappers/errors.ts';
import {
  createS3Client,
  FileStore,
  IntegrityError,
  newestUnder,
  openStore,
  S3Store,
  type ArtifactStore,
} from '../../src/wrappers/store/index.ts';
import { S3RVER_KEY, S3RVER_SECRET, startS3rver, type S3rver } from '../helpers/s3.ts';

let s3: S3rver;
let dir: string;
let client: S3Client;
const env = { T_S3_KEY: S3RVER_KEY, T_S3_SECRET: S3RVER_SECRET };

const settings = () => ({
  endpoint: s3.endpoint,
  region: 'us-east-1',
  force_path_style: true,
  credentials: { access_key_id_env: 'T_S3_KEY', secret_access_key_env: 'T_S3_SECRET' },
});
const storeAt = (prefix: string, extra: { listPageSize?: number } = {}) =>
  new S3Store({ client, bucket: s3.bucket, prefix, backoffMs: 10, ...extra });

beforeAll(async () => {
  s3 = await startS3rver();
  dir = await mkdtemp(join(tmpdir(), 'horno-store-s3-'));
  client = createS3Client(settings(), { env });
});
afterAll(async () => {
  await s3?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const sha256 = async (path: string) => {
  const h = createHash('sha256');
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return h.digest('hex');
};
async function collect(store: ArtifactStore, prefix: string) {
  const out = [];
  for await (const o of store.list(prefix)) out.push(o);
  return out;
}

describe('S3Store', () => {
  it('puts, heads, gets, lists and deletes under the url prefix', async () => {
    const store = openStore({ store: { url: `s3://${s3.bucket}/horno/test1`, s3: settings() } }, { env });
    expect(store.url).toBe(`s3://${s3.bucket}/horno/test1`);
    const src = join(dir, 'small.txt');
    await writeFile(src, 'lorax tarball stand-in\n');
    const want = await sha256(src);

    const put = await store.put('buildiso-9-x86_64/1732200000/lorax.tar.gz', src);
    expect(put).toMatchObject({ key: 'buildiso-9-x86_64/1732200000/lorax.tar.gz', size: 23, sha256: want });
    expect(await store.head('buildiso-9-x86_64/1732200000/lorax.tar.gz')).toMatchObject({
      size: 23,
      sha256: want,
    });
    expect(await store.head('buildiso-9-x86_64/missing')).toBeUndefined();

    const dest = join(dir, 'got', 'small.txt');
    const got = await store.get('buildiso-9-x86_64/1732200000/lorax.tar.gz', dest);
    expect(got.sha256).toBe(want);
    expect(await readFile(dest, 'utf8')).toBe('lorax tarball stand-in\n');

    // the key really sits under the url's prefix in the bucket
    await stat(
      join(s3.dataDir, s3.bucket, 'horno/test1/buildiso-9-x86_64/1732200000/lorax.tar.gz._S3rver_object'),
    );
    expect((await collect(store, '')).map((o) => o.key)).toEqual([
      'buildiso-9-x86_64/1732200000/lorax.tar.gz',
    ]);

    await store.delete('buildiso-9-x86_64/1732200000/lorax.tar.gz');
    await store.delete('buildiso-9-x86_64/1732200000/lorax.tar.gz'); // a missing key is fine
    expect(await collect(store, '')).toEqual([]);
    await expect(store.get('buildiso-9-x86_64/1732200000/lorax.tar.gz', dest + '2')).rejects.toThrow(
      /no object buildiso-9-x86_64\/1732200000\/lorax.tar.gz in s3:/,
    );
  });

  it('follows pagination and keeps listing inside the prefix; same order as the file store', async () => {
    const store = storeAt('paged', { listPageSize: 4 });
    const files = new FileStore(join(dir, 'filestore-paged'));
    const src = join(dir, 'one.txt');
    await writeFile(src, 'x');
    // No key here has a character below "/" (like "a-b" or "a.c") beside a folder "a/": s3rver walks its folders
    // instead of sorting keys, so its pages lose such keys (AWS sorts by bytes). The file store sorts like AWS.
    const keys = [
      ...Array.from({ length: 11 }, (_, i) => `a/obj-${String(i).padStart(2, '0')}`),
      'a0',
      'ab/other',
      'b/outside',
    ];
    for (const k of keys) {
      await store.put(k, src);
      await files.put(k, src);
    }
    const underA = (await collect(store, 'a/')).map((o) => o.key);
    expect(underA).toEqual(keys.slice(0, 11));
    expect((await collect(files, 'a/')).map((o) => o.key)).toEqual(underA);
    const all = (await collect(store, '')).map((o) => o.key);
    expect(all).toEqual([...keys].sort());
    expect((await collect(files, '')).map((o) => o.key)).toEqual(all);
    expect((await collect(store, 'a')).map((o) => o.key)).toEqual(keys.slice(0, 13));
    expect((await collect(files, 'a')).map((o) => o.key)).toEqual(keys.slice(0, 13));
    expect(await collect(store, 'zzz/')).toEqual([]);
  });

  it('uploads a 40 MiB file in parts and downloads it with the same sha256', async () => {
    const store = storeAt('big');
    const src = join(dir, 'big.bin');
    // 40 MiB and a bit: three 16 MiB parts, the last one short
    await writeFile(src, randomBytes(40 * 1024 * 1024 + 12345));
    const want = await sha256(src);
    let up = 0;
    const put = await store.put('big.bin', src, { onBytes: (n) => (up += n) });
    expect(put.size).toBe(40 * 1024 * 1024 + 12345);
    expect(put.sha256).toBe(want);
    expect(up).toBe(put.size);
    let down = 0;
    const dest = join(dir, 'big.out');
    const got = await store.get('big.bin', dest, { onBytes: (n) => (down += n) });
    expect(got.size).toBe(put.size);
    expect(down).toBe(put.size);
    expect(await sha256(dest)).toBe(want);
  });

  it('refuses an object whose bytes changed after upload, leaving no file', async () => {
    const store = storeAt('tamper');
    const src = join(dir, 'tamper.txt');
    await writeFile(src, 'the original content of the artifact\n');
    await store.put('t/obj.txt', src);
    const onDisk = join(s3.dataDir, s3.bucket, 'tamper/t/obj.txt._S3rver_object');
    const bytes = await readFile(onDisk);
    bytes.writeUInt8(bytes.readUInt8(4) ^ 0x20, 4); // same size, one bit flipped
    await writeFile(onDisk, bytes);

    const outDir = join(dir, 'tamper-out');
    const err = await store.get('t/obj.txt', join(outDir, 'obj.txt')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect((err as Error).message).toMatch(
      /sha256 [0-9a-f]{64} does not match the [0-9a-f]{64} recorded at upload/,
    );
    expect(await readdir(outDir)).toEqual([]); // no final file, no temp file
  });

  it('refuses wrong or missing recorded metadata unless verification is off', async () => {
    const store = storeAt('meta');
    await client.send(
      new PutObjectCommand({
        Bucket: s3.bucket,
        Key: 'meta/wrong',
        Body: 'payload',
        Metadata: { sha256: '0'.repeat(64) },
      }),
    );
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'meta/none', Body: 'payload' }));
    const out = join(dir, 'meta-out');
    await expect(store.get('wrong', join(out, 'wrong'))).rejects.toThrow(IntegrityError);
    await expect(store.get('none', join(out, 'none'))).rejects.toThrow(/no sha256 was recorded at upload/);
    expect(await readdir(out)).toEqual([]);
    const got = await store.get('none', join(out, 'none'), { verify: false });
    expect(got.sha256).toBe(createHash('sha256').update('payload').digest('hex'));
    expect(await readFile(join(out, 'none'), 'utf8')).toBe('payload');
  });

  it('refuses to record a sha256 the uploaded bytes do not have', async () => {
    const store = storeAt('wrongsum');
    const src = join(dir, 'wrongsum.txt');
    await writeFile(src, 'content\n');
    const err = await store.put('obj', src, { sha256: 'f'.repeat(64) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect((err as IntegrityError).message).toContain(
      `hash to ${createHash('sha256').update('content\n').digest('hex')}`,
    );
    expect(await store.head('obj')).toBeUndefined(); // deleted, not left with a false digest
  });

  it('refuses bad keys before any request', async () => {
    const store = storeAt('keys');
    await expect(store.put('../escape', join(dir, 'one.txt'))).rejects.toThrow(UsageError);
    await expect(store.get('/abs', join(dir, 'x'))).rejects.toThrow(UsageError);
    await expect(store.head('a//b')).rejects.toThrow(UsageError);
    await expect(collect(store, '../')).rejects.toThrow(UsageError);
  });

  it('reports unknown credentials without their values', async () => {
    const secret = 'super-secret-value-0123456789';
    const bad = openStore(
      { store: { url: `s3://${s3.bucket}/creds`, s3: settings() } },
      { env: { T_S3_KEY: 'NOT-A-KEY-ID', T_S3_SECRET: secret }, maxAttempts: 1 },
    );
    const src = join(dir, 'cred.txt');
    await writeFile(src, 'x');
    const err = await bad.put('k', src).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkError);
    const e = err as WorkError;
    expect(e.message).toMatch(/InvalidAccessKeyId \(HTTP 403\)/);
    expect(e.hint).toBe('check the variables named in store.s3.credentials');
    expect(`${e.message} ${e.hint} ${e.stack}`).not.toContain(secret);
  });

  it('starts a download again when the body breaks mid-stream', async () => {
    // a proxy that cuts the first GET of the object after 64 KiB, with the full Content-Length already sent
    let cut = 0;
    const target = new URL(s3.endpoint);
    const proxy = createServer((req, res) => {
      const up = request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (upRes) => {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          if (req.method === 'GET' && req.url?.includes('/flaky/obj') && cut === 0) {
            cut++;
            let sent = 0;
            upRes.on('data', (c: Buffer) => {
              if (sent >= 64 * 1024) return;
              sent += c.length;
              res.write(c);
              if (sent >= 64 * 1024) res.socket?.destroy();
            });
          } else upRes.pipe(res);
        },
      );
      req.pipe(up);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      const port = (proxy.address() as AddressInfo).port;
      const viaProxy = new S3Store({
        client: createS3Client({ ...settings(), endpoint: `http://127.0.0.1:${port}` }, { env }),
        bucket: s3.bucket,
        prefix: 'flaky',
        backoffMs: 10,
      });
      const src = join(dir, 'flaky.bin');
      await writeFile(src, randomBytes(1024 * 1024));
      await storeAt('flaky').put('obj', src);
      const dest = join(dir, 'flaky-out', 'obj');
      const got = await viaProxy.get('obj', dest);
      expect(cut).toBe(1);
      expect(got.sha256).toBe(await sha256(src));
      expect(await sha256(dest)).toBe(got.sha256);
      expect(await readdir(join(dir, 'flaky-out'))).toEqual(['obj']);
    } finally {
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    }
  });

  it('finds the newest lorax tarball by epoch, not by string order', async () => {
    const store = storeAt('newest');
    const src = join(dir, 'one.txt');
    for (const k of [
      'buildiso-9-x86_64/999999999/lorax-9.7-x86_64.tar.gz',
      'buildiso-9-x86_64/1000000000/lorax-9.7-x86_64.tar.gz',
      'buildiso-9-x86_64/1000000000/lorax-9.7-x86_64.log',
      'buildiso-9-aarch64/2000000000/lorax-9.7-aarch64.tar.gz',
    ])
      await store.put(k, src);
    const newest = await newestUnder(store, 'buildiso-9-x86_64/', { match: /\/lorax-[^/]*\.tar\.gz$/ });
    expect(newest?.key).toBe('buildiso-9-x86_64/1000000000/lorax-9.7-x86_64.tar.gz');
  });
});
