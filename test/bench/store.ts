// Store throughput benchmark (not a test): a 200 MiB file through S3Store.put and .get against a private s3rver,
// against a plain local copy (fs.copyFile) of the same file. Prints MiB/s for each and the ratio.
// Run: node bin/horno-dev.js test/bench/store.ts [--size-mib N]
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { createS3Client, S3Store } from '../../src/wrappers/store/index.ts';
import { sha256File } from '../../src/wrappers/steps/units.ts';
import { S3RVER_KEY, S3RVER_SECRET, startS3rver } from '../helpers/s3.ts';

const MiB = 1024 * 1024;

async function makeFile(path: string, bytes: number): Promise<void> {
  const out = createWriteStream(path);
  for (let left = bytes; left > 0; left -= 8 * MiB) {
    if (!out.write(randomBytes(Math.min(8 * MiB, left))))
      await new Promise<void>((r) => out.once('drain', () => r()));
  }
  out.end();
  await finished(out);
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
}

export async function main(args: string[]): Promise<number> {
  const i = args.indexOf('--size-mib');
  const sizeMib = i >= 0 ? Number(args[i + 1]) : 200;
  if (!Number.isFinite(sizeMib) || sizeMib <= 0) {
    console.error('usage: store.ts [--size-mib N]');
    return 2;
  }
  const dir = await mkdtemp(join(tmpdir(), 'horno-bench-store-'));
  const s3 = await startS3rver();
  try {
    const src = join(dir, 'artifact.bin');
    await makeFile(src, sizeMib * MiB);
    const sha = await sha256File(src); // hashed once here so put() measures the transfer, as callers that know it do
    const client = createS3Client(
      {
        endpoint: s3.endpoint,
        region: 'us-east-1',
        force_path_style: true,
        credentials: { access_key_id_env: 'K', secret_access_key_env: 'S' },
      },
      { env: { K: S3RVER_KEY, S: S3RVER_SECRET } },
    );
    const store = new S3Store({ client, bucket: s3.bucket, prefix: 'bench' });
    const cp = await timed(() => copyFile(src, join(dir, 'copy.bin')));
    const put = await timed(() => store.put('bench/artifact.bin', src, { sha256: sha }));
    const putHashing = await timed(() => store.put('bench/artifact2.bin', src));
    const get = await timed(() => store.get('bench/artifact.bin', join(dir, 'back.bin')));
    const rate = (s: number) => (sizeMib / s).toFixed(1).padStart(7);
    const line = (what: string, s: number) =>
      console.log(`${what.padEnd(34)} ${s.toFixed(2).padStart(6)} s ${rate(s)} MiB/s`);
    console.log(`store benchmark: ${sizeMib} MiB, s3rver ${s3.endpoint}, node ${process.versions.node}`);
    line('cp (fs.copyFile)', cp);
    line('S3Store.put (sha256 known)', put);
    line('S3Store.put (sha256 computed)', putHashing);
    line('S3Store.get (streamed, verified)', get);
    line('S3Store.put + get', put + get);
    console.log(
      `ratio put / cp: ${(put / cp).toFixed(1)}x slower; (put + get) / cp: ${((put + get) / cp).toFixed(1)}x`,
    );
    return 0;
  } finally {
    await s3.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
