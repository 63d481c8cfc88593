import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ComposePaths } from '../../compose/paths.ts';
import { FileStore } from '../../store/index.ts';
import { sha256File } from '../units.ts';
import { newestLoraxTarball, recordedLoraxTarball, recordedObject } from './fetch.ts';

let dir: string;
let paths: ComposePaths;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'horno-fetch-'));
  paths = new ComposePaths(join(dir, 'composes'), 'Demo-9.9-20231114.1');
  await mkdir(paths.unitRecords, { recursive: true });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function record(id: string, step: string, key: string, finishedAt: string, summary: object) {
  const rec = { id, step, key, inputs: {}, outputs: [], durationMs: 1, finishedAt, summary };
  await writeFile(paths.unitRecord(id), JSON.stringify(rec));
}
const built = (key: string, sha256: string) => ({ key, sha256, bytes: 5, store: 'file:///s' });

describe("this compose's own tarball", () => {
  it("is the latest build-iso record of the arch; other steps, arches and unreadable records don't count", async () => {
    expect(await recordedLoraxTarball(paths, 'x86_64')).toBeUndefined();
    await record('a', 'build-iso', 'x86_64', '2026-12-07T10:00:00.000Z', built('k/old', 'a'.repeat(64)));
    await record('b', 'build-iso', 'x86_64', '2026-12-07T11:00:00.000Z', built('k/new', 'b'.repeat(64)));
    await record('c', 'build-iso', 'aarch64', '2026-12-07T12:00:00.000Z', built('k/arm', 'c'.repeat(64)));
    await record('d', 'sync-repos', 'x86_64', '2026-12-07T13:00:00.000Z', built('k/sync', 'd'.repeat(64)));
    await writeFile(paths.unitRecord('e'), '{ half a record');
    expect(await recordedLoraxTarball(paths, 'x86_64')).toEqual({
      key: 'k/new',
      sha256: 'b'.repeat(64),
      size: 5,
      store: 'file:///s',
      finishedAt: '2026-12-07T11:00:00.000Z',
    });
  });

  it("is refused when build-iso's latest verdict for the arch is a failure", async () => {
    await record('a', 'build-iso', 'x86_64', '2026-12-07T10:00:00.000Z', built('k/old', 'a'.repeat(64)));
    await mkdir(paths.stepLedgers, { recursive: true });
    const failed = { verdict: 'failed', failable: true, error: 'lorax failed', at: '2026-12-07T11:00:00Z' };
    await writeFile(paths.stepLedger('build-iso'), JSON.stringify({ x86_64: failed }));
    await expect(recordedLoraxTarball(paths, 'x86_64')).rejects.toThrow(
      /build-iso failed for x86_64 in this compose \(lorax failed\)/,
    );
  });

  it('must still be the bytes recorded: an upload under the same key that replaced it is refused', async () => {
    const store = new FileStore(join(dir, 'store'));
    const key = 'buildiso-9-x86_64/Demo-9.9-20231114.1/1700000000/lorax-9.9-x86_64.tar.gz';
    await writeFile(join(dir, 'mine'), 'mine!');
    const sha256 = await sha256File(join(dir, 'mine'));
    const rec = { key, sha256, size: 5, store: store.url, finishedAt: '' };
    await expect(recordedObject(store, rec)).rejects.toThrow(
      /which build-iso uploaded for this compose, is not in/,
    );
    await store.put(key, join(dir, 'mine'));
    expect(await recordedObject(store, rec)).toMatchObject({ key, sha256, size: 5 });
    await writeFile(join(dir, 'theirs'), 'their');
    await store.put(key, join(dir, 'theirs'));
    await expect(recordedObject(store, rec)).rejects.toThrow(/another upload replaced it/);
  });
});

describe('--newest', () => {
  it('goes by the epoch across composes and the older layout without a compose segment', async () => {
    const store = new FileStore(join(dir, 'store'));
    await writeFile(join(dir, 'f'), 'x');
    for (const k of [
      'buildiso-9-x86_64/1700000000/lorax-9.9-x86_64.tar.gz',
      'buildiso-9-x86_64/Demo-9.9-20231114.0/1700000001/lorax-9.9-x86_64.tar.gz',
      'buildiso-9-x86_64/Demo-9.9-20231114.1/1700000002/lorax-9.9-x86_64.tar.gz',
      'buildiso-9-x86_64/Demo-9.9-20231114.1/1800000000/lorax-9.8-x86_64.tar.gz',
      'buildiso-9-x86_64/a/b/1900000000/lorax-9.9-x86_64.tar.gz',
    ])
      await store.put(k, join(dir, 'f'));
    expect((await newestLoraxTarball(store, '9', '9.9', 'x86_64'))?.key).toBe(
      'buildiso-9-x86_64/Demo-9.9-20231114.1/1700000002/lorax-9.9-x86_64.tar.gz',
    );
    await store.delete('buildiso-9-x86_64/Demo-9.9-20231114.1/1700000002/lorax-9.9-x86_64.tar.gz');
    await store.delete('buildiso-9-x86_64/Demo-9.9-20231114.0/1700000001/lorax-9.9-x86_64.tar.gz');
    expect((await newestLoraxTarball(store, '9', '9.9', 'x86_64'))?.key).toBe(
      'buildiso-9-x86_64/1700000000/lorax-9.9-x86_64.tar.gz',
    );
  });
});
