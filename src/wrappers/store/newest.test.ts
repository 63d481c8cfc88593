import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileStore } from './file-store.ts';
import { newestUnder, recordedTime } from './newest.ts';
import type { ArtifactStore, StoredObject } from './store.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('newestUnder', () => {
  it('completes a listing without sha256 (as S3 lists) with a HEAD of the chosen object only', async () => {
    const lm = new Date('2026-01-01T00:00:00Z');
    const heads: string[] = [];
    const listing: StoredObject[] = [
      { key: 'b/1700000000/a.tar.gz', size: 1, lastModified: lm },
      { key: 'b/1700000001/a.tar.gz', size: 2, lastModified: lm },
    ];
    const store = {
      async *list() {
        yield* listing;
      },
      async head(key: string) {
        heads.push(key);
        return { ...listing.find((o) => o.key === key)!, sha256: 'f'.repeat(64) };
      },
    } as unknown as ArtifactStore;
    expect(await newestUnder(store, 'b/')).toMatchObject({
      key: 'b/1700000001/a.tar.gz',
      sha256: 'f'.repeat(64),
    });
    expect(heads).toEqual(['b/1700000001/a.tar.gz']);
  });

  it('reads the epoch segment before lastModified', () => {
    const lm = new Date('2026-01-01T00:00:00Z');
    expect(recordedTime({ key: 'b-9-x86_64/1732200000/f', size: 1, lastModified: lm })).toBe(1732200000000);
    expect(recordedTime({ key: 'b-9-x86_64/20260101/f', size: 1, lastModified: lm })).toBe(lm.getTime());
  });

  it('picks by time across epoch widths and by mtime without epochs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'horno-newest-'));
    dirs.push(dir);
    const store = new FileStore(join(dir, 'store'));
    const src = join(dir, 'f');
    await writeFile(src, 'f');
    for (const k of ['x/999999999/lorax.tar.gz', 'x/1000000000/lorax.tar.gz', 'x/1000000001/lorax.log'])
      await store.put(k, src);
    expect((await newestUnder(store, 'x/', { match: /\.tar\.gz$/ }))?.key).toBe('x/1000000000/lorax.tar.gz');
    expect((await newestUnder(store, 'x/'))?.key).toBe('x/1000000001/lorax.log');
    expect(await newestUnder(store, 'y/')).toBeUndefined();

    // no epoch in the keys: "b" is older than "a" on disk, so "a" wins although "b" sorts last
    await store.put('y/a', src);
    await store.put('y/b', src);
    const old = new Date('2020-01-01T00:00:00Z');
    await utimes(join(dir, 'store', 'y', 'b'), old, old);
    expect((await newestUnder(store, 'y/', { match: (k) => k.startsWith('y/') }))?.key).toBe('y/a');
  });
});
