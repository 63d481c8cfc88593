import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, spawnStream } from '../run/runner.ts';
import { compressionOf, decompressedText } from './decompress.ts';
import { ChecksumMismatchError, RepoMetadataError } from './errors.ts';

let dir: string;
const TEXT = 'ab€cd\n'.repeat(50_000); // multi-byte characters across chunk boundaries
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'horno-rpmmd-dc-'));
  await writeFile(join(dir, 'plain'), TEXT);
  await run(['xz', '-0', '-k', join(dir, 'plain')]);
  await run(['zstd', '-q', '-k', join(dir, 'plain'), '-o', join(dir, 'plain.zst')]);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function text(it: AsyncIterable<string>): Promise<string> {
  let s = '';
  for await (const c of it) s += c;
  return s;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('compressionOf', () => {
  it('goes by extension and refuses zchunk', () => {
    expect(compressionOf('repodata/x-primary.xml.gz')).toBe('gz');
    expect(compressionOf('repodata/x-primary.xml.zst')).toBe('zst');
    expect(compressionOf('repodata/comps.xml')).toBe('none');
    expect(() => compressionOf('repodata/x-primary.xml.zck')).toThrow(RepoMetadataError);
  });
});

describe('decompressedText', () => {
  it.each(['xz', 'zst'] as const)(
    'decodes %s through the external filter and verifies what was stored',
    async (c) => {
      const file = join(dir, `plain.${c}`);
      const stored = await readFile(file);
      const expect_ = { what: file, checksum: { type: 'sha256', value: sha(stored) }, size: stored.length };
      expect(await text(decompressedText(Readable.from([stored]), c, expect_))).toBe(TEXT);
      const wrong = { ...expect_, checksum: { type: 'sha256', value: '0'.repeat(64) } };
      await expect(text(decompressedText(Readable.from([stored]), c, wrong))).rejects.toBeInstanceOf(
        ChecksumMismatchError,
      );
    },
  );

  it('stops the filter when the reader stops early', async () => {
    const stored = await readFile(join(dir, 'plain.xz'));
    for await (const chunk of decompressedText(Readable.from([stored]), 'xz', { what: 'x' })) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
  });
});

describe('spawnStream', () => {
  it('streams stdout and resolves done on exit 0', async () => {
    const h = spawnStream(['sh', '-c', 'echo one; echo two']);
    let out = '';
    for await (const c of h.stdout) out += String(c);
    await h.done;
    expect(out).toBe('one\ntwo\n');
  });

  it('rejects done with the stderr tail on failure', async () => {
    const h = spawnStream(['sh', '-c', 'echo boom >&2; exit 3']);
    for await (const _ of h.stdout) void _;
    await expect(h.done).rejects.toThrow(/boom/);
  });

  it('kills the child when the reader goes away', async () => {
    const h = spawnStream(['yes']);
    for await (const _ of h.stdout) break;
    await expect(h.done).rejects.toThrow(/killed by SIGTERM|exited/);
  });

  it('is interrupted by its signal', async () => {
    const ac = new AbortController();
    const h = spawnStream(['sleep', '30'], { signal: ac.signal });
    ac.abort();
    await expect(h.done).rejects.toThrow(/interrupted/);
  });
});
