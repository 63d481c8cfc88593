// The decompressor's bounds: output past repomd's open-size or the ceiling, and stored input past the recorded
// size, stop the stream at once (not after unpacking the rest), for gzip, xz, zstd and plain files alike.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../run/runner.ts';
import { type Compression, decompressedBytes, type VerifyExpect } from './decompress.ts';
import { ChecksumMismatchError, MetadataTooLargeError } from './errors.ts';

const MiB = 2 ** 20;
/** 64 MiB of zeros: 64 KiB of gzip, 10 KiB of xz. */
const BOMB = 64 * MiB;
let dir: string;
const stored: Partial<Record<Compression, Buffer>> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'horno-rpmmd-dcl-'));
  const zeros = Buffer.alloc(BOMB);
  stored.gz = gzipSync(zeros, { level: 9 });
  await writeFile(join(dir, 'z'), zeros);
  await run(['xz', '-1', '-k', join(dir, 'z')]);
  await run(['zstd', '-q', '-k', join(dir, 'z'), '-o', join(dir, 'z.zst')]);
  stored.xz = await readFile(join(dir, 'z.xz'));
  stored.zst = await readFile(join(dir, 'z.zst'));
  await rm(join(dir, 'z'));
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Reads to the end (or the error): the bytes handed out, and the error. */
async function drain(c: Compression, expect: VerifyExpect, input = Readable.from([stored[c]!])) {
  let bytes = 0;
  try {
    for await (const chunk of decompressedBytes(input, c, expect)) bytes += chunk.length;
    return { bytes, err: undefined };
  } catch (err) {
    return { bytes, err: err as Error };
  }
}

describe('decompressedBytes limits', () => {
  it.each(['gz', 'xz', 'zst'] as const)('%s: stops at the open-size, handing out no more', async (c) => {
    const { bytes, err } = await drain(c, { what: `repodata/p.xml.${c}`, openSize: 3 * MiB });
    expect(err).toBeInstanceOf(MetadataTooLargeError);
    expect(err!.message).toBe(
      `repodata/p.xml.${c}: decompresses to more than its open-size in repomd.xml (3 MiB)`,
    );
    expect(bytes).toBeLessThanOrEqual(3 * MiB);
  });

  it.each(['gz', 'xz', 'zst'] as const)('%s: without open-size, stops at the ceiling', async (c) => {
    const { bytes, err } = await drain(c, { what: 'p', maxBytes: 2 * MiB });
    expect(err).toBeInstanceOf(MetadataTooLargeError);
    expect(err!.message).toMatch(/^p: decompresses to more than 2 MiB, the limit for a metadata file/);
    expect(bytes).toBeLessThanOrEqual(2 * MiB);
  });

  it('takes the smaller of open-size and ceiling, and passes content that fits both exactly', async () => {
    const lie = await drain('gz', { what: 'p', openSize: 100 * 2 ** 30, maxBytes: MiB });
    expect(lie.err).toBeInstanceOf(MetadataTooLargeError);
    expect((lie.err as MetadataTooLargeError).byOpenSize).toBe(false);
    expect(await drain('gz', { what: 'p', openSize: BOMB, maxBytes: BOMB })).toEqual({
      bytes: BOMB,
      err: undefined,
    });
  });

  it('applies the same bounds to an uncompressed file', async () => {
    const plain = Buffer.alloc(5 * MiB, 'a');
    const { err } = await drain('none', { what: 'comps.xml', maxBytes: 4 * MiB }, Readable.from([plain]));
    expect(err).toBeInstanceOf(MetadataTooLargeError);
    expect((await drain('none', { what: 'comps.xml' }, Readable.from([plain]))).bytes).toBe(5 * MiB);
  });

  it('stops reading a stored file that runs past its recorded size', async () => {
    let reads = 0;
    // 128 MiB where 100 kB were announced
    const endless = new Readable({
      read() {
        reads++;
        this.push(reads > 2048 ? null : Buffer.alloc(64 * 1024, 'x'));
      },
    });
    const { err } = await drain('none', { what: 'repodata/p.xml', size: 100_000 }, endless);
    expect(err).toBeInstanceOf(ChecksumMismatchError);
    expect(err!.message).toBe(
      'repodata/p.xml: checksum mismatch (expected 100000 bytes, got more than 100000 bytes)',
    );
    expect(reads).toBeLessThan(50);
  });
});
